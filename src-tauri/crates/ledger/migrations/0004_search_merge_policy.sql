-- Search index upkeep off the counter's path: each sale's commit writes one small FTS5
-- segment; merging them only when 16 pile up on a level (crisismerge) instead of every 4
-- (automerge) keeps an insert's writes, and the WAL checkpoints they cause, small.
INSERT INTO orders_search (orders_search, rank) VALUES ('automerge', 0);
INSERT INTO orders_search (orders_search, rank) VALUES ('crisismerge', 16);

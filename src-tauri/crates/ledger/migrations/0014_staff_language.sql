-- Each staff member's own language for the window (issue 17): one of the core's
-- language::LANGUAGES, or NULL for the shop's (the shop.language setting). The core checks
-- the value before it is written. The outbox trigger already fires on updated_at, which every
-- change of a staff member sets, so a language travels to the shop ledger like a role.
ALTER TABLE staff ADD COLUMN language TEXT;

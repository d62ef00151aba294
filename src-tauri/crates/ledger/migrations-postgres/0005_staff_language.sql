-- Each staff member's own language (issue 17), shop-wide as their role is: NULL speaks the
-- shop's language. Pushed and pulled with the rest of the staff row (newest change wins).
ALTER TABLE shop_staff ADD COLUMN language TEXT;

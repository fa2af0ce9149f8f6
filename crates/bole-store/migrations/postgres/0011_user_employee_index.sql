-- Approver resolution and inboxes look accounts up by their employee record (the subject's
-- manager chain, unit heads) on every submission and decision; without this index each lookup
-- scanned every account.
CREATE INDEX users_employee ON users (employee_id);

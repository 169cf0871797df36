-- The officer on duty (a duty mailbox or an on-call address) is alerted at once when a case is
-- flagged as a significant incident, beside the coordinators and the DPO.
ALTER TABLE dev_config ADD COLUMN on_duty_email TEXT;

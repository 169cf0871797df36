-- An attachment taken off an instruction is not deleted: it is evidence of what people were shown.
-- It is marked instead: when, and by whom (the actor's label, like dev_attachments.uploaded_by).
-- NULL = still attached. Pages and lists show only attachments that are not removed.
ALTER TABLE instruction_attachments ADD COLUMN removed_at TIMESTAMPTZ;
ALTER TABLE instruction_attachments ADD COLUMN removed_by TEXT;

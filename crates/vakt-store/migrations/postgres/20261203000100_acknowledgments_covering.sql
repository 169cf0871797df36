-- Reports read the acknowledgments of a page of people for their standings only (version and
-- time, not the evidence). This index holds every column they read, in the order they are
-- grouped, so the table itself is not touched; it replaces the narrower person index, which it
-- contains as a prefix (a person's latest acknowledgment of an instruction is still one seek).
DROP INDEX acknowledgments_person;
CREATE INDEX acknowledgments_person ON acknowledgments (tenant_id, person_id, instruction_id, major, minor, version_id, at, id);

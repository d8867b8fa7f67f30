-- A number that counts up with every change to the vocabulary of the pages that show citizen
-- data: the data categories (names, order) and the form questions (labels) with their sections.
-- A server keeps that vocabulary in memory under the number it read it at, and every page
-- reads the number with its data: when it differs, the server loads the vocabulary anew. So a
-- change counts from the next page on every server on this database, whoever made it.
CREATE TABLE vocabulary_revision (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO vocabulary_revision (id, revision) VALUES (1, 1);

CREATE FUNCTION vocabulary_revision_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE vocabulary_revision SET revision = revision + 1;
    RETURN NULL;
END
$$;

-- Once per statement: a change of many rows is one change of the vocabulary.
CREATE TRIGGER vocabulary_revision_count AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON data_categories
    FOR EACH STATEMENT EXECUTE FUNCTION vocabulary_revision_count();
CREATE TRIGGER vocabulary_revision_count AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON form_sections
    FOR EACH STATEMENT EXECUTE FUNCTION vocabulary_revision_count();
CREATE TRIGGER vocabulary_revision_count AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON form_questions
    FOR EACH STATEMENT EXECUTE FUNCTION vocabulary_revision_count();

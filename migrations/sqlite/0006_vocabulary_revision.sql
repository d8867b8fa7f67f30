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

-- SQLite's triggers fire for each row and each kind of change.
CREATE TRIGGER vocabulary_revision_category_insert AFTER INSERT ON data_categories
BEGIN UPDATE vocabulary_revision SET revision = revision + 1; END;
CREATE TRIGGER vocabulary_revision_category_update AFTER UPDATE ON data_categories
BEGIN UPDATE vocabulary_revision SET revision = revision + 1; END;
CREATE TRIGGER vocabulary_revision_category_delete AFTER DELETE ON data_categories
BEGIN UPDATE vocabulary_revision SET revision = revision + 1; END;
CREATE TRIGGER vocabulary_revision_section_insert AFTER INSERT ON form_sections
BEGIN UPDATE vocabulary_revision SET revision = revision + 1; END;
CREATE TRIGGER vocabulary_revision_section_update AFTER UPDATE ON form_sections
BEGIN UPDATE vocabulary_revision SET revision = revision + 1; END;
CREATE TRIGGER vocabulary_revision_section_delete AFTER DELETE ON form_sections
BEGIN UPDATE vocabulary_revision SET revision = revision + 1; END;
CREATE TRIGGER vocabulary_revision_question_insert AFTER INSERT ON form_questions
BEGIN UPDATE vocabulary_revision SET revision = revision + 1; END;
CREATE TRIGGER vocabulary_revision_question_update AFTER UPDATE ON form_questions
BEGIN UPDATE vocabulary_revision SET revision = revision + 1; END;
CREATE TRIGGER vocabulary_revision_question_delete AFTER DELETE ON form_questions
BEGIN UPDATE vocabulary_revision SET revision = revision + 1; END;

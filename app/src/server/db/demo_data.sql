-- Klarsicht demo data. One SQL text for SQLite and PostgreSQL (run with sqlx::raw_sql in one
-- transaction). Idempotent: fixed ids and ON CONFLICT DO NOTHING everywhere, so running it again
-- changes nothing. No access_log rows: the application writes those with their hash chain.
--
-- Fixed ids: 00000000-0000-4000-8000-000000000NNN with
--   1NN staff, 2NN citizens, 3NN consent templates / versions / optional sharings,
--   4NN form sections, 5NN form questions, 7NN applications and their events,
--   8NN consents and consent events, 9NN protection flags, 10NN messages, 11NN case notes,
--   12NN document requests.
-- Form question keys are the JSON keys in citizen_data and application_answers of the same
-- category, so forms are prefilled from the citizen's data.

-- ---------------------------------------------------------------------------------------------
-- Offices
-- ---------------------------------------------------------------------------------------------

INSERT INTO offices (code, name_de, name_en, kind, active, created_at) VALUES
    ('jugendamt', 'Jugendamt', 'Youth Welfare Office', 'youth', TRUE, '2026-01-01T00:00:00.000000Z'),
    ('sozialamt', 'Sozialamt', 'Social Welfare Office', 'social', TRUE, '2026-01-01T00:00:00.000000Z'),
    ('wohngeldstelle', 'Wohngeldstelle', 'Housing Benefit Office', 'housing', TRUE, '2026-01-01T00:00:00.000000Z')
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Data categories (retention in days after the application is closed)
-- ---------------------------------------------------------------------------------------------

INSERT INTO data_categories (code, name_de, name_en, description_de, description_en, special_category, retention_days, sort_order) VALUES
    ('identity', 'Angaben zur Person', 'Personal details',
     'Wer Sie sind: Vorname, Nachname, Geburtsdatum und Familienstand.',
     'Who you are: first name, last name, date of birth and marital status.',
     FALSE, 3650, 1),
    ('contact', 'Kontaktdaten', 'Contact details',
     'Wie das Amt Sie erreicht: Anschrift, E-Mail-Adresse und Telefonnummer.',
     'How the office can reach you: address, e-mail address and phone number.',
     FALSE, 1825, 2),
    ('household', 'Haushalt', 'Household',
     'Wer mit Ihnen zusammen wohnt, zum Beispiel Partnerin, Partner oder Kinder.',
     'Who lives with you, for example your partner or your children.',
     FALSE, 1825, 3),
    ('income_assets', 'Einkommen und Vermögen', 'Income and assets',
     'Was Sie im Monat verdienen oder bekommen, und was Sie besitzen, zum Beispiel Erspartes.',
     'What you earn or receive each month, and what you own, for example savings.',
     FALSE, 3650, 4),
    ('housing', 'Wohnung', 'Housing',
     'Ihre Wohnung: Miete, Nebenkosten, Heizkosten und Größe.',
     'Your home: rent, service charges, heating costs and size.',
     FALSE, 1825, 5),
    ('benefits_received', 'Leistungsbezug', 'Benefits received',
     'Welche Leistungen Sie schon bekommen, zum Beispiel Rente, Bürgergeld oder Kindergeld.',
     'Which benefits you already receive, for example a pension, citizen''s income or child benefit.',
     FALSE, 3650, 6),
    ('health_disability', 'Gesundheit und Behinderung', 'Health and disability',
     'Angaben zu Krankheit, Behinderung oder Erwerbsminderung. Diese Daten sind besonders geschützt.',
     'Information about illness, disability or reduced earning capacity. This data is specially protected.',
     TRUE, 1825, 7),
    ('children_upbringing', 'Kinder und Erziehung', 'Children and upbringing',
     'Wie es Ihrem Kind geht: Schule oder Kita, Ihr Anliegen und bisherige Hilfen.',
     'How your child is doing: school or day care, what you need help with and earlier support.',
     FALSE, 3650, 8),
    ('bank_account', 'Bankverbindung', 'Bank account',
     'Das Konto, auf das das Amt Geld überweist.',
     'The account the office pays money into.',
     FALSE, 3650, 9),
    ('documents', 'Nachweise und Dokumente', 'Documents',
     'Dateien, die Sie hochladen, zum Beispiel Gehaltsabrechnungen oder den Mietvertrag.',
     'Files you upload, for example payslips or your tenancy agreement.',
     FALSE, 1825, 10)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Benefit types and their forms
-- ---------------------------------------------------------------------------------------------

INSERT INTO benefit_types (code, name_de, name_en, description_de, description_en, office_code, active) VALUES
    ('wohngeld', 'Wohngeld', 'Housing benefit',
     'Ein Zuschuss zur Miete für Menschen mit geringem Einkommen.',
     'A contribution to the rent for people with a low income.',
     'wohngeldstelle', TRUE),
    ('hilfe_zur_erziehung', 'Hilfe zur Erziehung', 'Help with raising children',
     'Unterstützung für Eltern, wenn es in der Familie oder mit dem Kind gerade schwierig ist.',
     'Support for parents when things are difficult in the family or with the child.',
     'jugendamt', TRUE),
    ('grundsicherung', 'Grundsicherung und Sozialhilfe', 'Basic income support and social assistance',
     'Geld für den Lebensunterhalt, wenn Einkommen und Vermögen nicht reichen.',
     'Money to live on when your income and assets are not enough.',
     'sozialamt', TRUE)
ON CONFLICT DO NOTHING;

INSERT INTO form_sections (id, benefit_type_code, position, title_de, title_en, category_code) VALUES
    -- Wohngeld
    ('00000000-0000-4000-8000-000000000401', 'wohngeld', 1, 'Angaben zu Ihrer Person', 'About you', 'identity'),
    ('00000000-0000-4000-8000-000000000402', 'wohngeld', 2, 'Ihr Haushalt', 'Your household', 'household'),
    ('00000000-0000-4000-8000-000000000403', 'wohngeld', 3, 'Einkommen und Vermögen', 'Income and assets', 'income_assets'),
    ('00000000-0000-4000-8000-000000000404', 'wohngeld', 4, 'Ihre Wohnung', 'Your home', 'housing'),
    ('00000000-0000-4000-8000-000000000405', 'wohngeld', 5, 'Bankverbindung', 'Bank account', 'bank_account'),
    -- Hilfe zur Erziehung
    ('00000000-0000-4000-8000-000000000406', 'hilfe_zur_erziehung', 1, 'Angaben zum Kind', 'About the child', 'identity'),
    ('00000000-0000-4000-8000-000000000407', 'hilfe_zur_erziehung', 2, 'So erreichen wir Sie', 'How to reach you', 'contact'),
    ('00000000-0000-4000-8000-000000000408', 'hilfe_zur_erziehung', 3, 'Familie und Haushalt', 'Family and household', 'household'),
    ('00000000-0000-4000-8000-000000000409', 'hilfe_zur_erziehung', 4, 'Ihr Anliegen', 'What you need help with', 'children_upbringing'),
    -- Grundsicherung und Sozialhilfe
    ('00000000-0000-4000-8000-000000000410', 'grundsicherung', 1, 'Angaben zu Ihrer Person', 'About you', 'identity'),
    ('00000000-0000-4000-8000-000000000411', 'grundsicherung', 2, 'Ihr Haushalt', 'Your household', 'household'),
    ('00000000-0000-4000-8000-000000000412', 'grundsicherung', 3, 'Einkommen und Vermögen', 'Income and assets', 'income_assets'),
    ('00000000-0000-4000-8000-000000000413', 'grundsicherung', 4, 'Ihre Wohnung', 'Your home', 'housing'),
    ('00000000-0000-4000-8000-000000000414', 'grundsicherung', 5, 'Bankverbindung', 'Bank account', 'bank_account')
ON CONFLICT DO NOTHING;

INSERT INTO form_questions (id, section_id, position, key, label_de, label_en, help_de, help_en, kind, options, required) VALUES
    -- Wohngeld: Angaben zu Ihrer Person
    ('00000000-0000-4000-8000-000000000501', '00000000-0000-4000-8000-000000000401', 1, 'vorname', 'Vorname', 'First name', NULL, NULL, 'text', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000502', '00000000-0000-4000-8000-000000000401', 2, 'nachname', 'Nachname', 'Last name', NULL, NULL, 'text', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000503', '00000000-0000-4000-8000-000000000401', 3, 'geburtsdatum', 'Geburtsdatum', 'Date of birth', 'Zum Beispiel 23.07.1991', 'For example 23/07/1991', 'date', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000504', '00000000-0000-4000-8000-000000000401', 4, 'familienstand', 'Familienstand', 'Marital status', NULL, NULL, 'choice',
     '[{"value":"ledig","label_de":"ledig","label_en":"single"},{"value":"verheiratet","label_de":"verheiratet oder eingetragene Lebenspartnerschaft","label_en":"married or civil partnership"},{"value":"getrennt_lebend","label_de":"getrennt lebend","label_en":"separated"},{"value":"geschieden","label_de":"geschieden","label_en":"divorced"},{"value":"verwitwet","label_de":"verwitwet","label_en":"widowed"}]', TRUE),
    -- Wohngeld: Ihr Haushalt
    ('00000000-0000-4000-8000-000000000505', '00000000-0000-4000-8000-000000000402', 1, 'personen_im_haushalt', 'Wie viele Personen wohnen in Ihrem Haushalt, Sie eingeschlossen?', 'How many people live in your household, including you?', NULL, NULL, 'number', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000506', '00000000-0000-4000-8000-000000000402', 2, 'kinder_unter_18', 'Wie viele davon sind Kinder unter 18 Jahren?', 'How many of them are children under 18?', NULL, NULL, 'number', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000507', '00000000-0000-4000-8000-000000000402', 3, 'alleinerziehend', 'Erziehen Sie Ihre Kinder allein?', 'Are you raising your children on your own?', NULL, NULL, 'boolean', NULL, TRUE),
    -- Wohngeld: Einkommen und Vermögen
    ('00000000-0000-4000-8000-000000000508', '00000000-0000-4000-8000-000000000403', 1, 'einkommensart', 'Woher kommt Ihr Einkommen hauptsächlich?', 'Where does most of your income come from?', NULL, NULL, 'choice',
     '[{"value":"erwerbstaetigkeit","label_de":"Arbeit als Angestellte oder Angestellter","label_en":"Employment"},{"value":"selbststaendig","label_de":"Selbstständige Arbeit","label_en":"Self-employment"},{"value":"rente","label_de":"Rente oder Pension","label_en":"Pension"},{"value":"arbeitslosengeld","label_de":"Arbeitslosengeld","label_en":"Unemployment benefit"},{"value":"keines","label_de":"Ich habe kein Einkommen","label_en":"I have no income"}]', TRUE),
    ('00000000-0000-4000-8000-000000000509', '00000000-0000-4000-8000-000000000403', 2, 'nettoeinkommen_monatlich', 'Nettoeinkommen im Monat (Euro)', 'Net income per month (euros)', 'Der Betrag, der auf Ihrem Konto ankommt.', 'The amount paid into your account.', 'money', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000510', '00000000-0000-4000-8000-000000000403', 3, 'kindergeld_monatlich', 'Kindergeld im Monat (Euro)', 'Child benefit per month (euros)', NULL, NULL, 'money', NULL, FALSE),
    ('00000000-0000-4000-8000-000000000511', '00000000-0000-4000-8000-000000000403', 4, 'vermoegen', 'Erspartes und anderes Vermögen (Euro)', 'Savings and other assets (euros)', 'Zum Beispiel Guthaben auf Sparkonten.', 'For example money in savings accounts.', 'money', NULL, TRUE),
    -- Wohngeld: Ihre Wohnung
    ('00000000-0000-4000-8000-000000000512', '00000000-0000-4000-8000-000000000404', 1, 'kaltmiete', 'Kaltmiete im Monat (Euro)', 'Rent per month without service charges (euros)', NULL, NULL, 'money', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000513', '00000000-0000-4000-8000-000000000404', 2, 'nebenkosten', 'Nebenkosten im Monat ohne Heizung (Euro)', 'Service charges per month without heating (euros)', NULL, NULL, 'money', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000514', '00000000-0000-4000-8000-000000000404', 3, 'heizkosten', 'Heizkosten im Monat (Euro)', 'Heating costs per month (euros)', NULL, NULL, 'money', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000515', '00000000-0000-4000-8000-000000000404', 4, 'wohnflaeche_qm', 'Wohnfläche (Quadratmeter)', 'Floor space (square metres)', NULL, NULL, 'number', NULL, TRUE),
    -- Wohngeld: Bankverbindung
    ('00000000-0000-4000-8000-000000000516', '00000000-0000-4000-8000-000000000405', 1, 'kontoinhaber', 'Kontoinhaberin oder Kontoinhaber', 'Account holder', NULL, NULL, 'text', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000517', '00000000-0000-4000-8000-000000000405', 2, 'iban', 'IBAN', 'IBAN', 'Steht auf Ihrer Bankkarte oder im Online-Banking.', 'You find it on your bank card or in online banking.', 'text', NULL, TRUE),
    -- Hilfe zur Erziehung: Angaben zum Kind
    ('00000000-0000-4000-8000-000000000518', '00000000-0000-4000-8000-000000000406', 1, 'vorname', 'Vorname des Kindes', 'Child''s first name', NULL, NULL, 'text', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000519', '00000000-0000-4000-8000-000000000406', 2, 'nachname', 'Nachname des Kindes', 'Child''s last name', NULL, NULL, 'text', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000520', '00000000-0000-4000-8000-000000000406', 3, 'geburtsdatum', 'Geburtsdatum des Kindes', 'Child''s date of birth', NULL, NULL, 'date', NULL, TRUE),
    -- Hilfe zur Erziehung: So erreichen wir Sie
    ('00000000-0000-4000-8000-000000000521', '00000000-0000-4000-8000-000000000407', 1, 'email', 'E-Mail-Adresse', 'E-mail address', NULL, NULL, 'text', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000522', '00000000-0000-4000-8000-000000000407', 2, 'telefon', 'Telefonnummer', 'Phone number', 'Freiwillig. Dann können wir Sie auch anrufen.', 'Optional. Then we can also call you.', 'text', NULL, FALSE),
    ('00000000-0000-4000-8000-000000000523', '00000000-0000-4000-8000-000000000407', 3, 'anschrift', 'Anschrift', 'Address', NULL, NULL, 'text', NULL, TRUE),
    -- Hilfe zur Erziehung: Familie und Haushalt
    ('00000000-0000-4000-8000-000000000524', '00000000-0000-4000-8000-000000000408', 1, 'personen_im_haushalt', 'Wie viele Personen wohnen mit dem Kind zusammen, das Kind eingeschlossen?', 'How many people live with the child, including the child?', NULL, NULL, 'number', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000525', '00000000-0000-4000-8000-000000000408', 2, 'sorgerecht', 'Wer hat das Sorgerecht?', 'Who has parental custody?', NULL, NULL, 'choice',
     '[{"value":"gemeinsam","label_de":"Beide Eltern gemeinsam","label_en":"Both parents together"},{"value":"allein_mutter","label_de":"Die Mutter allein","label_en":"The mother alone"},{"value":"allein_vater","label_de":"Der Vater allein","label_en":"The father alone"},{"value":"vormund","label_de":"Ein Vormund","label_en":"A legal guardian"}]', TRUE),
    ('00000000-0000-4000-8000-000000000526', '00000000-0000-4000-8000-000000000408', 3, 'alleinerziehend', 'Erziehen Sie das Kind allein?', 'Are you raising the child on your own?', NULL, NULL, 'boolean', NULL, TRUE),
    -- Hilfe zur Erziehung: Ihr Anliegen
    ('00000000-0000-4000-8000-000000000527', '00000000-0000-4000-8000-000000000409', 1, 'schule_kita', 'Welche Schule oder Kita besucht das Kind?', 'Which school or day care does the child attend?', NULL, NULL, 'text', NULL, FALSE),
    ('00000000-0000-4000-8000-000000000528', '00000000-0000-4000-8000-000000000409', 2, 'anliegen', 'Wobei brauchen Sie Unterstützung?', 'What do you need support with?', 'Beschreiben Sie in eigenen Worten, was gerade schwierig ist.', 'Describe in your own words what is difficult at the moment.', 'text', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000529', '00000000-0000-4000-8000-000000000409', 3, 'bisherige_hilfen', 'Hatten Sie schon Hilfe, zum Beispiel eine Beratung?', 'Have you had help before, for example counselling?', NULL, NULL, 'text', NULL, FALSE),
    ('00000000-0000-4000-8000-000000000530', '00000000-0000-4000-8000-000000000409', 4, 'gewuenschte_hilfe', 'Welche Hilfe wünschen Sie sich?', 'What kind of help would you like?', NULL, NULL, 'choice',
     '[{"value":"erziehungsberatung","label_de":"Erziehungsberatung","label_en":"Parenting counselling"},{"value":"sozialpaedagogische_familienhilfe","label_de":"Eine Fachkraft, die zu uns nach Hause kommt (Familienhilfe)","label_en":"A social worker who visits us at home (family support)"},{"value":"erziehungsbeistand","label_de":"Eine feste Ansprechperson für das Kind (Erziehungsbeistand)","label_en":"A regular contact person for the child"},{"value":"tagesgruppe","label_de":"Betreuung am Nachmittag in einer Tagesgruppe","label_en":"Afternoon care in a day group"},{"value":"weiss_nicht","label_de":"Ich weiß es noch nicht","label_en":"I do not know yet"}]', TRUE),
    -- Grundsicherung: Angaben zu Ihrer Person
    ('00000000-0000-4000-8000-000000000531', '00000000-0000-4000-8000-000000000410', 1, 'vorname', 'Vorname', 'First name', NULL, NULL, 'text', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000532', '00000000-0000-4000-8000-000000000410', 2, 'nachname', 'Nachname', 'Last name', NULL, NULL, 'text', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000533', '00000000-0000-4000-8000-000000000410', 3, 'geburtsdatum', 'Geburtsdatum', 'Date of birth', NULL, NULL, 'date', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000534', '00000000-0000-4000-8000-000000000410', 4, 'familienstand', 'Familienstand', 'Marital status', NULL, NULL, 'choice',
     '[{"value":"ledig","label_de":"ledig","label_en":"single"},{"value":"verheiratet","label_de":"verheiratet oder eingetragene Lebenspartnerschaft","label_en":"married or civil partnership"},{"value":"getrennt_lebend","label_de":"getrennt lebend","label_en":"separated"},{"value":"geschieden","label_de":"geschieden","label_en":"divorced"},{"value":"verwitwet","label_de":"verwitwet","label_en":"widowed"}]', TRUE),
    -- Grundsicherung: Ihr Haushalt
    ('00000000-0000-4000-8000-000000000535', '00000000-0000-4000-8000-000000000411', 1, 'personen_im_haushalt', 'Wie viele Personen wohnen in Ihrem Haushalt, Sie eingeschlossen?', 'How many people live in your household, including you?', NULL, NULL, 'number', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000536', '00000000-0000-4000-8000-000000000411', 2, 'kinder_unter_18', 'Wie viele davon sind Kinder unter 18 Jahren?', 'How many of them are children under 18?', NULL, NULL, 'number', NULL, TRUE),
    -- Grundsicherung: Einkommen und Vermögen
    ('00000000-0000-4000-8000-000000000537', '00000000-0000-4000-8000-000000000412', 1, 'einkommensart', 'Woher kommt Ihr Einkommen hauptsächlich?', 'Where does most of your income come from?', NULL, NULL, 'choice',
     '[{"value":"erwerbstaetigkeit","label_de":"Arbeit als Angestellte oder Angestellter","label_en":"Employment"},{"value":"selbststaendig","label_de":"Selbstständige Arbeit","label_en":"Self-employment"},{"value":"rente","label_de":"Rente oder Pension","label_en":"Pension"},{"value":"arbeitslosengeld","label_de":"Arbeitslosengeld","label_en":"Unemployment benefit"},{"value":"keines","label_de":"Ich habe kein Einkommen","label_en":"I have no income"}]', TRUE),
    ('00000000-0000-4000-8000-000000000538', '00000000-0000-4000-8000-000000000412', 2, 'nettoeinkommen_monatlich', 'Nettoeinkommen im Monat (Euro)', 'Net income per month (euros)', 'Der Betrag, der auf Ihrem Konto ankommt.', 'The amount paid into your account.', 'money', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000539', '00000000-0000-4000-8000-000000000412', 3, 'vermoegen', 'Erspartes und anderes Vermögen (Euro)', 'Savings and other assets (euros)', NULL, NULL, 'money', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000540', '00000000-0000-4000-8000-000000000412', 4, 'weitere_einnahmen', 'Bekommen Sie weiteres Geld, zum Beispiel Unterhalt?', 'Do you receive other money, for example maintenance?', NULL, NULL, 'text', NULL, FALSE),
    -- Grundsicherung: Ihre Wohnung
    ('00000000-0000-4000-8000-000000000541', '00000000-0000-4000-8000-000000000413', 1, 'kaltmiete', 'Kaltmiete im Monat (Euro)', 'Rent per month without service charges (euros)', NULL, NULL, 'money', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000542', '00000000-0000-4000-8000-000000000413', 2, 'nebenkosten', 'Nebenkosten im Monat ohne Heizung (Euro)', 'Service charges per month without heating (euros)', NULL, NULL, 'money', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000543', '00000000-0000-4000-8000-000000000413', 3, 'heizkosten', 'Heizkosten im Monat (Euro)', 'Heating costs per month (euros)', NULL, NULL, 'money', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000544', '00000000-0000-4000-8000-000000000413', 4, 'wohnflaeche_qm', 'Wohnfläche (Quadratmeter)', 'Floor space (square metres)', NULL, NULL, 'number', NULL, TRUE),
    -- Grundsicherung: Bankverbindung
    ('00000000-0000-4000-8000-000000000545', '00000000-0000-4000-8000-000000000414', 1, 'kontoinhaber', 'Kontoinhaberin oder Kontoinhaber', 'Account holder', NULL, NULL, 'text', NULL, TRUE),
    ('00000000-0000-4000-8000-000000000546', '00000000-0000-4000-8000-000000000414', 2, 'iban', 'IBAN', 'IBAN', 'Steht auf Ihrer Bankkarte oder im Online-Banking.', 'You find it on your bank card or in online banking.', 'text', NULL, TRUE)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Consent templates: one per benefit type, version 1 published
-- ---------------------------------------------------------------------------------------------

INSERT INTO consent_templates (id, benefit_type_code, created_at) VALUES
    ('00000000-0000-4000-8000-000000000301', 'wohngeld', '2026-01-15T08:00:00.000000Z'),
    ('00000000-0000-4000-8000-000000000302', 'hilfe_zur_erziehung', '2026-01-15T08:00:00.000000Z'),
    ('00000000-0000-4000-8000-000000000303', 'grundsicherung', '2026-01-15T08:00:00.000000Z')
ON CONFLICT DO NOTHING;

INSERT INTO consent_template_versions (id, template_id, version, status, intro_de, intro_en, published_at, created_at) VALUES
    ('00000000-0000-4000-8000-000000000311', '00000000-0000-4000-8000-000000000301', 1, 'published',
     'Für Ihren Wohngeld-Antrag bekommt nur die Wohngeldstelle Ihre Daten, und nur die Daten, die sie nach dem Gesetz braucht. Andere Ämter sehen davon nichts. Sie können zusätzlich erlauben, dass das Sozialamt einzelne Angaben sieht. Das ist freiwillig und Sie können es jederzeit widerrufen.',
     'For your housing benefit application only the Housing Benefit Office receives your data, and only the data the law requires. Other offices see none of it. You may additionally allow the Social Welfare Office to see some details. This is voluntary and you can withdraw it at any time.',
     '2026-01-15T09:00:00.000000Z', '2026-01-15T08:00:00.000000Z'),
    ('00000000-0000-4000-8000-000000000312', '00000000-0000-4000-8000-000000000302', 1, 'published',
     'Für die Hilfe zur Erziehung bekommt nur das Jugendamt Ihre Daten, und nur die Daten, die es nach dem Gesetz braucht. Das Sozialamt und die Wohngeldstelle sehen davon nichts.',
     'For help with raising your child only the Youth Welfare Office receives your data, and only the data the law requires. The Social Welfare Office and the Housing Benefit Office see none of it.',
     '2026-01-15T09:00:00.000000Z', '2026-01-15T08:00:00.000000Z'),
    ('00000000-0000-4000-8000-000000000313', '00000000-0000-4000-8000-000000000303', 1, 'published',
     'Für Ihren Antrag auf Grundsicherung oder Sozialhilfe bekommt nur das Sozialamt Ihre Daten, und nur die Daten, die es nach dem Gesetz braucht. Andere Ämter sehen davon nichts. Zusätzliche Freigaben sind freiwillig und Sie können sie jederzeit widerrufen.',
     'For your application for basic income support or social assistance only the Social Welfare Office receives your data, and only the data the law requires. Other offices see none of it. Any additional sharing is voluntary and you can withdraw it at any time.',
     '2026-01-15T09:00:00.000000Z', '2026-01-15T08:00:00.000000Z')
ON CONFLICT DO NOTHING;

INSERT INTO template_required_categories (version_id, category_code, legal_basis, explanation_de, explanation_en) VALUES
    -- Wohngeld → Wohngeldstelle
    ('00000000-0000-4000-8000-000000000311', 'identity', '§ 60 SGB I, § 23 WoGG',
     'Die Wohngeldstelle muss wissen, wer den Antrag stellt.',
     'The Housing Benefit Office needs to know who is applying.'),
    ('00000000-0000-4000-8000-000000000311', 'household', '§ 60 SGB I, §§ 5, 6 WoGG',
     'Wie hoch das Wohngeld ist, hängt davon ab, wie viele Personen in Ihrem Haushalt leben.',
     'The amount of housing benefit depends on how many people live in your household.'),
    ('00000000-0000-4000-8000-000000000311', 'income_assets', '§ 60 SGB I, § 23 WoGG',
     'Das Wohngeld wird aus Ihrem Einkommen berechnet. Ohne diese Angaben kann die Wohngeldstelle nicht entscheiden.',
     'Housing benefit is calculated from your income. Without this the office cannot decide.'),
    ('00000000-0000-4000-8000-000000000311', 'housing', '§ 60 SGB I, §§ 9, 12 WoGG',
     'Das Wohngeld hängt von Ihrer Miete ab.',
     'Housing benefit depends on your rent.'),
    ('00000000-0000-4000-8000-000000000311', 'bank_account', '§ 60 SGB I, § 26 WoGG',
     'Damit das Wohngeld auf Ihr Konto überwiesen werden kann.',
     'So that the housing benefit can be paid into your account.'),
    -- Hilfe zur Erziehung → Jugendamt
    ('00000000-0000-4000-8000-000000000312', 'identity', '§ 62 SGB VIII',
     'Das Jugendamt muss wissen, für welches Kind Sie Hilfe beantragen.',
     'The Youth Welfare Office needs to know which child you are applying for.'),
    ('00000000-0000-4000-8000-000000000312', 'contact', '§ 62 SGB VIII',
     'Damit das Jugendamt mit Ihnen einen Termin vereinbaren kann.',
     'So that the Youth Welfare Office can arrange an appointment with you.'),
    ('00000000-0000-4000-8000-000000000312', 'household', '§ 62 SGB VIII, § 27 SGB VIII',
     'Das Jugendamt muss wissen, wer mit dem Kind lebt und wer das Sorgerecht hat.',
     'The office needs to know who lives with the child and who has custody.'),
    ('00000000-0000-4000-8000-000000000312', 'children_upbringing', '§ 62 SGB VIII, §§ 27, 36 SGB VIII',
     'Nur so kann das Jugendamt mit Ihnen die passende Hilfe planen.',
     'This is the only way the office can plan the right help together with you.'),
    -- Grundsicherung → Sozialamt
    ('00000000-0000-4000-8000-000000000313', 'identity', '§ 60 SGB I, § 117 SGB XII',
     'Das Sozialamt muss wissen, wer den Antrag stellt.',
     'The Social Welfare Office needs to know who is applying.'),
    ('00000000-0000-4000-8000-000000000313', 'household', '§ 60 SGB I, §§ 27, 39 SGB XII',
     'Wer mit Ihnen zusammen lebt, kann für den Anspruch wichtig sein.',
     'Who lives with you can matter for your entitlement.'),
    ('00000000-0000-4000-8000-000000000313', 'income_assets', '§ 60 SGB I, § 117 SGB XII, §§ 82, 90 SGB XII',
     'Grundsicherung bekommt nur, wer nicht genug Einkommen und Vermögen hat. Das Sozialamt muss es deshalb prüfen.',
     'Basic income support is only paid if your income and assets are not enough, so the office has to check them.'),
    ('00000000-0000-4000-8000-000000000313', 'housing', '§ 60 SGB I, § 35 SGB XII',
     'Das Sozialamt übernimmt angemessene Kosten für Miete und Heizung.',
     'The office pays reasonable costs for rent and heating.'),
    ('00000000-0000-4000-8000-000000000313', 'bank_account', '§ 60 SGB I, § 117 SGB XII',
     'Damit das Geld auf Ihr Konto überwiesen werden kann.',
     'So that the money can be paid into your account.')
ON CONFLICT DO NOTHING;

INSERT INTO template_optional_sharings (id, version_id, category_code, recipient_office_code, purpose_de, purpose_en, legal_basis, max_validity_days, explanation_de, explanation_en) VALUES
    ('00000000-0000-4000-8000-000000000321', '00000000-0000-4000-8000-000000000311', 'income_assets', 'sozialamt',
     'Prüfung eines Anspruchs auf Grundsicherung', 'Checking a possible claim to basic income support',
     'art_6_1_a', 365,
     'Wenn Sie zustimmen, sieht das Sozialamt Ihr Einkommen und Vermögen und prüft, ob Ihnen Grundsicherung zusteht. Sie müssen es dann nicht noch einmal angeben.',
     'If you agree, the Social Welfare Office sees your income and assets and checks whether you are entitled to basic income support. You will not have to enter them again.'),
    ('00000000-0000-4000-8000-000000000322', '00000000-0000-4000-8000-000000000311', 'housing', 'sozialamt',
     'Prüfung eines Anspruchs auf Grundsicherung', 'Checking a possible claim to basic income support',
     'art_6_1_a', 365,
     'Wenn Sie zustimmen, sieht das Sozialamt Ihre Wohnkosten für dieselbe Prüfung.',
     'If you agree, the Social Welfare Office sees your housing costs for the same check.'),
    ('00000000-0000-4000-8000-000000000323', '00000000-0000-4000-8000-000000000312', 'health_disability', 'jugendamt',
     'Berücksichtigung der Gesundheit des Kindes bei der Hilfeplanung', 'Taking the child''s health into account when planning the help',
     'art_9_2_a', 365,
     'Wenn Ihr Kind krank ist oder eine Behinderung hat, kann das Jugendamt die Hilfe besser darauf abstimmen. Diese Angaben sind besonders geschützt und freiwillig.',
     'If your child is ill or has a disability, the office can tailor the help to it. This information is specially protected and voluntary.'),
    ('00000000-0000-4000-8000-000000000324', '00000000-0000-4000-8000-000000000313', 'health_disability', 'sozialamt',
     'Prüfung eines Mehrbedarfs wegen Krankheit oder Behinderung', 'Checking additional needs because of illness or disability',
     'art_9_2_a', 365,
     'Wenn Sie eine Schwerbehinderung oder eine Krankheit mit besonderer Ernährung haben, kann Ihnen mehr Geld zustehen. Dafür muss das Sozialamt diese Angaben sehen. Das ist freiwillig.',
     'If you have a severe disability or an illness that needs a special diet, you may get more money. For that the office needs to see this information. This is voluntary.'),
    ('00000000-0000-4000-8000-000000000325', '00000000-0000-4000-8000-000000000313', 'housing', 'wohngeldstelle',
     'Prüfung, ob Wohngeld statt Grundsicherung in Frage kommt', 'Checking whether housing benefit could replace basic income support',
     'art_6_1_a', 180,
     'Manchmal ist Wohngeld günstiger für Sie. Wenn Sie zustimmen, sieht die Wohngeldstelle Ihre Wohnkosten und prüft das.',
     'Sometimes housing benefit is better for you. If you agree, the Housing Benefit Office sees your housing costs and checks this.')
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Staff
-- ---------------------------------------------------------------------------------------------

INSERT INTO staff_members (id, display_name, email, oidc_subject, active, created_at, deactivated_at) VALUES
    ('00000000-0000-4000-8000-000000000101', 'Lena Hoffmann', 'lena.hoffmann@jugendamt.example', 'demo-lena', TRUE, '2026-01-10T08:00:00.000000Z', NULL),
    ('00000000-0000-4000-8000-000000000102', 'Tobias Krüger', 'tobias.krueger@jugendamt.example', 'demo-tobias', TRUE, '2026-01-10T08:00:00.000000Z', NULL),
    ('00000000-0000-4000-8000-000000000103', 'Murat Yılmaz', 'murat.yilmaz@sozialamt.example', 'demo-murat', TRUE, '2026-01-10T08:00:00.000000Z', NULL),
    ('00000000-0000-4000-8000-000000000104', 'Sabine Fischer', 'sabine.fischer@wohngeldstelle.example', 'demo-sabine', TRUE, '2026-01-10T08:00:00.000000Z', NULL),
    ('00000000-0000-4000-8000-000000000105', 'Dr. Claudia Neumann', 'claudia.neumann@datenschutz.stadt.example', 'demo-claudia', TRUE, '2026-01-10T08:00:00.000000Z', NULL),
    ('00000000-0000-4000-8000-000000000106', 'Frank Richter', 'frank.richter@stadt.example', 'demo-frank', TRUE, '2026-01-10T08:00:00.000000Z', NULL),
    -- A second administrator: roles that read citizen data need two (four eyes).
    ('00000000-0000-4000-8000-000000000107', 'Petra Lange', 'petra.lange@stadt.example', 'demo-petra', TRUE, '2026-01-10T08:00:00.000000Z', NULL)
ON CONFLICT DO NOTHING;

-- staff_roles has no primary key; the unique index on (staff_id, COALESCE(office_code, ''), role)
-- makes ON CONFLICT DO NOTHING skip existing rows.
INSERT INTO staff_roles (staff_id, office_code, role) VALUES
    ('00000000-0000-4000-8000-000000000101', 'jugendamt', 'caseworker'),
    ('00000000-0000-4000-8000-000000000102', 'jugendamt', 'caseworker'),
    ('00000000-0000-4000-8000-000000000103', 'sozialamt', 'caseworker'),
    ('00000000-0000-4000-8000-000000000104', 'wohngeldstelle', 'caseworker'),
    ('00000000-0000-4000-8000-000000000105', NULL, 'data_protection_officer'),
    ('00000000-0000-4000-8000-000000000106', NULL, 'administrator'),
    ('00000000-0000-4000-8000-000000000107', NULL, 'administrator')
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Citizens, guardianship, protection flags
-- ---------------------------------------------------------------------------------------------

INSERT INTO citizens (id, oidc_subject, given_name, family_name, birth_date, created_at) VALUES
    ('00000000-0000-4000-8000-000000000201', 'demo-anna', 'Anna', 'Becker', '1991-07-23', '2026-03-02T10:00:00.000000Z'),
    ('00000000-0000-4000-8000-000000000202', 'demo-jonas', 'Jonas', 'Weber', '1984-02-09', '2026-02-11T17:30:00.000000Z'),
    ('00000000-0000-4000-8000-000000000203', NULL, 'Mia', 'Weber', '2016-05-14', '2026-02-11T17:45:00.000000Z'),
    ('00000000-0000-4000-8000-000000000204', 'demo-selin', 'Selin', 'Kaya', '1988-03-30', '2026-09-10T12:00:00.000000Z'),
    ('00000000-0000-4000-8000-000000000205', 'demo-peter', 'Peter', 'Schmidt', '1957-10-02', '2026-04-20T09:15:00.000000Z')
ON CONFLICT DO NOTHING;

INSERT INTO guardianships (guardian_citizen_id, child_citizen_id, relationship, since, ended_on) VALUES
    ('00000000-0000-4000-8000-000000000202', '00000000-0000-4000-8000-000000000203', 'parent', '2016-05-14', NULL)
ON CONFLICT DO NOTHING;

INSERT INTO protection_flags (id, citizen_id, kind, reason, set_by_staff_id, set_by_office_code, set_at, lifted_at, lifted_by_staff_id, lift_reason) VALUES
    ('00000000-0000-4000-8000-000000000901', '00000000-0000-4000-8000-000000000204', 'domestic_violence',
     'Schutz vor häuslicher Gewalt. Keine Weitergabe von Daten an andere Ämter, auch nicht mit Einwilligung.',
     '00000000-0000-4000-8000-000000000103', 'sozialamt', '2026-09-15T10:30:00.000000Z', NULL, NULL, NULL),
    ('00000000-0000-4000-8000-000000000902', '00000000-0000-4000-8000-000000000204', 'address_block',
     'Auskunftssperre im Melderegister (§ 51 BMG). Die Anschrift darf nicht weitergegeben werden.',
     '00000000-0000-4000-8000-000000000103', 'sozialamt', '2026-09-15T10:35:00.000000Z', NULL, NULL, NULL)
ON CONFLICT DO NOTHING;

INSERT INTO citizen_data (citizen_id, category_code, data, updated_at) VALUES
    -- Anna Becker
    ('00000000-0000-4000-8000-000000000201', 'identity',
     '{"vorname":"Anna","nachname":"Becker","geburtsdatum":"1991-07-23","familienstand":"ledig"}', '2026-03-02T10:05:00.000000Z'),
    ('00000000-0000-4000-8000-000000000201', 'contact',
     '{"email":"anna.becker@example.org","telefon":"0151 23456789","anschrift":"Lindenstraße 12, 12345 Musterstadt"}', '2026-03-02T10:05:00.000000Z'),
    ('00000000-0000-4000-8000-000000000201', 'household',
     '{"personen_im_haushalt":1,"kinder_unter_18":0,"alleinerziehend":false}', '2026-03-02T10:06:00.000000Z'),
    ('00000000-0000-4000-8000-000000000201', 'income_assets',
     '{"einkommensart":"keines","nettoeinkommen_monatlich":0,"vermoegen":850,"weitere_einnahmen":"keine"}', '2026-11-20T19:12:00.000000Z'),
    ('00000000-0000-4000-8000-000000000201', 'housing',
     '{"kaltmiete":410,"nebenkosten":95,"heizkosten":60,"wohnflaeche_qm":38}', '2026-11-20T19:14:00.000000Z'),
    ('00000000-0000-4000-8000-000000000201', 'health_disability',
     '{"schwerbehinderung":true,"grad_der_behinderung":60,"merkzeichen":"G","volle_erwerbsminderung":true}', '2026-11-20T19:16:00.000000Z'),
    -- Jonas Weber
    ('00000000-0000-4000-8000-000000000202', 'identity',
     '{"vorname":"Jonas","nachname":"Weber","geburtsdatum":"1984-02-09","familienstand":"geschieden"}', '2026-02-11T17:35:00.000000Z'),
    ('00000000-0000-4000-8000-000000000202', 'contact',
     '{"email":"jonas.weber@example.org","telefon":"0176 98765432","anschrift":"Gartenweg 5, 12345 Musterstadt"}', '2026-02-11T17:35:00.000000Z'),
    ('00000000-0000-4000-8000-000000000202', 'household',
     '{"personen_im_haushalt":2,"kinder_unter_18":1,"alleinerziehend":true,"sorgerecht":"gemeinsam"}', '2026-02-11T17:40:00.000000Z'),
    ('00000000-0000-4000-8000-000000000202', 'income_assets',
     '{"einkommensart":"erwerbstaetigkeit","nettoeinkommen_monatlich":2150,"kindergeld_monatlich":255,"vermoegen":3200}', '2026-11-02T08:40:00.000000Z'),
    ('00000000-0000-4000-8000-000000000202', 'housing',
     '{"kaltmiete":720,"nebenkosten":160,"heizkosten":95,"wohnflaeche_qm":68}', '2026-11-02T08:42:00.000000Z'),
    ('00000000-0000-4000-8000-000000000202', 'bank_account',
     '{"kontoinhaber":"Jonas Weber","iban":"DE02 1203 0000 0000 2020 51"}', '2026-11-02T08:43:00.000000Z'),
    -- Mia Weber (data kept by her father)
    ('00000000-0000-4000-8000-000000000203', 'identity',
     '{"vorname":"Mia","nachname":"Weber","geburtsdatum":"2016-05-14"}', '2026-02-11T17:45:00.000000Z'),
    ('00000000-0000-4000-8000-000000000203', 'household',
     '{"personen_im_haushalt":2,"sorgerecht":"gemeinsam","alleinerziehend":true}', '2026-10-27T16:45:00.000000Z'),
    ('00000000-0000-4000-8000-000000000203', 'children_upbringing',
     '{"schule_kita":"Grundschule am Park, 4. Klasse","anliegen":"Mia hat seit der Trennung große Probleme in der Schule und ist zu Hause oft sehr wütend. Ich komme allein nicht mehr weiter und wünsche mir Unterstützung.","bisherige_hilfen":"Erziehungsberatung 2024 (fünf Termine)","gewuenschte_hilfe":"sozialpaedagogische_familienhilfe"}', '2026-10-27T16:55:00.000000Z'),
    -- Selin Kaya
    ('00000000-0000-4000-8000-000000000204', 'identity',
     '{"vorname":"Selin","nachname":"Kaya","geburtsdatum":"1988-03-30","familienstand":"getrennt_lebend"}', '2026-09-10T12:05:00.000000Z'),
    ('00000000-0000-4000-8000-000000000204', 'contact',
     '{"email":"selin.kaya@example.org","telefon":"0160 11122233","anschrift":"Am Mühlbach 3, 12347 Musterstadt"}', '2026-09-10T12:05:00.000000Z'),
    ('00000000-0000-4000-8000-000000000204', 'household',
     '{"personen_im_haushalt":2,"kinder_unter_18":1}', '2026-11-18T14:05:00.000000Z'),
    ('00000000-0000-4000-8000-000000000204', 'income_assets',
     '{"einkommensart":"keines","nettoeinkommen_monatlich":0,"vermoegen":400,"weitere_einnahmen":"Kindergeld 255 Euro"}', '2026-11-18T14:10:00.000000Z'),
    ('00000000-0000-4000-8000-000000000204', 'housing',
     '{"kaltmiete":540,"nebenkosten":120,"heizkosten":80,"wohnflaeche_qm":52}', '2026-11-18T14:12:00.000000Z'),
    ('00000000-0000-4000-8000-000000000204', 'bank_account',
     '{"kontoinhaber":"Selin Kaya","iban":"DE89 3704 0044 0532 0130 00"}', '2026-11-18T14:13:00.000000Z'),
    -- Peter Schmidt
    ('00000000-0000-4000-8000-000000000205', 'identity',
     '{"vorname":"Peter","nachname":"Schmidt","geburtsdatum":"1957-10-02","familienstand":"verwitwet"}', '2026-04-20T09:20:00.000000Z'),
    ('00000000-0000-4000-8000-000000000205', 'contact',
     '{"email":"peter.schmidt@example.org","telefon":"0221 4455667","anschrift":"Rosenstraße 21, 12349 Musterstadt"}', '2026-04-20T09:20:00.000000Z'),
    ('00000000-0000-4000-8000-000000000205', 'income_assets',
     '{"einkommensart":"rente","nettoeinkommen_monatlich":980,"vermoegen":2500}', '2026-04-20T09:25:00.000000Z'),
    ('00000000-0000-4000-8000-000000000205', 'housing',
     '{"kaltmiete":480,"nebenkosten":110,"heizkosten":75,"wohnflaeche_qm":45}', '2026-04-20T09:26:00.000000Z'),
    ('00000000-0000-4000-8000-000000000205', 'benefits_received',
     '{"leistungen":[{"art":"Altersrente","traeger":"Deutsche Rentenversicherung","seit":"2023-11-01"}]}', '2026-04-20T09:27:00.000000Z'),
    ('00000000-0000-4000-8000-000000000205', 'health_disability',
     '{"schwerbehinderung":true,"grad_der_behinderung":50,"merkzeichen":"","volle_erwerbsminderung":false}', '2026-04-20T09:28:00.000000Z')
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Applications
-- ---------------------------------------------------------------------------------------------

INSERT INTO applications (id, reference, citizen_id, submitted_by_citizen_id, benefit_type_code, office_code, template_version_id, status, assigned_staff_id, decision_reason, created_at, updated_at, submitted_at, decided_at, closed_at) VALUES
    -- Jonas: Wohngeld, submitted, waiting in the Wohngeldstelle queue
    ('00000000-0000-4000-8000-000000000701', 'KS-2026-000001', '00000000-0000-4000-8000-000000000202', '00000000-0000-4000-8000-000000000202',
     'wohngeld', 'wohngeldstelle', '00000000-0000-4000-8000-000000000311', 'submitted', NULL, NULL,
     '2026-11-02T08:30:00.000000Z', '2026-11-03T10:15:00.000000Z', '2026-11-03T10:15:00.000000Z', NULL, NULL),
    -- Jonas for his daughter Mia: Hilfe zur Erziehung, in review with Lena Hoffmann
    ('00000000-0000-4000-8000-000000000702', 'KS-2026-000002', '00000000-0000-4000-8000-000000000203', '00000000-0000-4000-8000-000000000202',
     'hilfe_zur_erziehung', 'jugendamt', '00000000-0000-4000-8000-000000000312', 'in_review', '00000000-0000-4000-8000-000000000101', NULL,
     '2026-10-27T16:40:00.000000Z', '2026-10-30T11:20:00.000000Z', '2026-10-28T09:05:00.000000Z', NULL, NULL),
    -- Anna: Grundsicherung, still a draft
    ('00000000-0000-4000-8000-000000000703', 'KS-2026-000003', '00000000-0000-4000-8000-000000000201', '00000000-0000-4000-8000-000000000201',
     'grundsicherung', 'sozialamt', '00000000-0000-4000-8000-000000000313', 'draft', NULL, NULL,
     '2026-11-20T19:10:00.000000Z', '2026-11-21T08:00:00.000000Z', NULL, NULL, NULL),
    -- Selin: Grundsicherung, submitted
    ('00000000-0000-4000-8000-000000000704', 'KS-2026-000004', '00000000-0000-4000-8000-000000000204', '00000000-0000-4000-8000-000000000204',
     'grundsicherung', 'sozialamt', '00000000-0000-4000-8000-000000000313', 'submitted', NULL, NULL,
     '2026-11-18T14:00:00.000000Z', '2026-11-18T15:30:00.000000Z', '2026-11-18T15:30:00.000000Z', NULL, NULL)
ON CONFLICT DO NOTHING;

INSERT INTO application_answers (application_id, category_code, answers, updated_at) VALUES
    -- KS-2026-000001 (Jonas, Wohngeld)
    ('00000000-0000-4000-8000-000000000701', 'identity',
     '{"vorname":"Jonas","nachname":"Weber","geburtsdatum":"1984-02-09","familienstand":"geschieden"}', '2026-11-02T08:35:00.000000Z'),
    ('00000000-0000-4000-8000-000000000701', 'household',
     '{"personen_im_haushalt":2,"kinder_unter_18":1,"alleinerziehend":true}', '2026-11-02T08:38:00.000000Z'),
    ('00000000-0000-4000-8000-000000000701', 'income_assets',
     '{"einkommensart":"erwerbstaetigkeit","nettoeinkommen_monatlich":2150,"kindergeld_monatlich":255,"vermoegen":3200}', '2026-11-02T08:40:00.000000Z'),
    ('00000000-0000-4000-8000-000000000701', 'housing',
     '{"kaltmiete":720,"nebenkosten":160,"heizkosten":95,"wohnflaeche_qm":68}', '2026-11-02T08:42:00.000000Z'),
    ('00000000-0000-4000-8000-000000000701', 'bank_account',
     '{"kontoinhaber":"Jonas Weber","iban":"DE02 1203 0000 0000 2020 51"}', '2026-11-02T08:43:00.000000Z'),
    -- KS-2026-000002 (Mia, Hilfe zur Erziehung, filled in by Jonas)
    ('00000000-0000-4000-8000-000000000702', 'identity',
     '{"vorname":"Mia","nachname":"Weber","geburtsdatum":"2016-05-14"}', '2026-10-27T16:42:00.000000Z'),
    ('00000000-0000-4000-8000-000000000702', 'contact',
     '{"email":"jonas.weber@example.org","telefon":"0176 98765432","anschrift":"Gartenweg 5, 12345 Musterstadt"}', '2026-10-27T16:43:00.000000Z'),
    ('00000000-0000-4000-8000-000000000702', 'household',
     '{"personen_im_haushalt":2,"sorgerecht":"gemeinsam","alleinerziehend":true}', '2026-10-27T16:45:00.000000Z'),
    ('00000000-0000-4000-8000-000000000702', 'children_upbringing',
     '{"schule_kita":"Grundschule am Park, 4. Klasse","anliegen":"Mia hat seit der Trennung große Probleme in der Schule und ist zu Hause oft sehr wütend. Ich komme allein nicht mehr weiter und wünsche mir Unterstützung.","bisherige_hilfen":"Erziehungsberatung 2024 (fünf Termine)","gewuenschte_hilfe":"sozialpaedagogische_familienhilfe"}', '2026-10-27T16:55:00.000000Z'),
    -- KS-2026-000003 (Anna, Grundsicherung, draft: first section only)
    ('00000000-0000-4000-8000-000000000703', 'identity',
     '{"vorname":"Anna","nachname":"Becker","geburtsdatum":"1991-07-23","familienstand":"ledig"}', '2026-11-20T19:11:00.000000Z'),
    -- KS-2026-000004 (Selin, Grundsicherung)
    ('00000000-0000-4000-8000-000000000704', 'identity',
     '{"vorname":"Selin","nachname":"Kaya","geburtsdatum":"1988-03-30","familienstand":"getrennt_lebend"}', '2026-11-18T14:02:00.000000Z'),
    ('00000000-0000-4000-8000-000000000704', 'household',
     '{"personen_im_haushalt":2,"kinder_unter_18":1}', '2026-11-18T14:05:00.000000Z'),
    ('00000000-0000-4000-8000-000000000704', 'income_assets',
     '{"einkommensart":"keines","nettoeinkommen_monatlich":0,"vermoegen":400,"weitere_einnahmen":"Kindergeld 255 Euro"}', '2026-11-18T14:10:00.000000Z'),
    ('00000000-0000-4000-8000-000000000704', 'housing',
     '{"kaltmiete":540,"nebenkosten":120,"heizkosten":80,"wohnflaeche_qm":52}', '2026-11-18T14:12:00.000000Z'),
    ('00000000-0000-4000-8000-000000000704', 'bank_account',
     '{"kontoinhaber":"Selin Kaya","iban":"DE89 3704 0044 0532 0130 00"}', '2026-11-18T14:13:00.000000Z')
ON CONFLICT DO NOTHING;

-- Event kinds used: created, submitted, assigned, status_changed (detail = the new status code).
INSERT INTO application_events (id, application_id, occurred_at, actor_kind, actor_id, kind, detail) VALUES
    ('00000000-0000-4000-8000-000000000711', '00000000-0000-4000-8000-000000000701', '2026-11-02T08:30:00.000000Z', 'citizen', '00000000-0000-4000-8000-000000000202', 'created', NULL),
    ('00000000-0000-4000-8000-000000000712', '00000000-0000-4000-8000-000000000701', '2026-11-03T10:15:00.000000Z', 'citizen', '00000000-0000-4000-8000-000000000202', 'submitted', NULL),
    ('00000000-0000-4000-8000-000000000713', '00000000-0000-4000-8000-000000000702', '2026-10-27T16:40:00.000000Z', 'citizen', '00000000-0000-4000-8000-000000000202', 'created', NULL),
    ('00000000-0000-4000-8000-000000000714', '00000000-0000-4000-8000-000000000702', '2026-10-28T09:05:00.000000Z', 'citizen', '00000000-0000-4000-8000-000000000202', 'submitted', NULL),
    ('00000000-0000-4000-8000-000000000715', '00000000-0000-4000-8000-000000000702', '2026-10-30T11:15:00.000000Z', 'staff', '00000000-0000-4000-8000-000000000101', 'assigned', NULL),
    ('00000000-0000-4000-8000-000000000716', '00000000-0000-4000-8000-000000000702', '2026-10-30T11:20:00.000000Z', 'staff', '00000000-0000-4000-8000-000000000101', 'status_changed', 'in_review'),
    ('00000000-0000-4000-8000-000000000717', '00000000-0000-4000-8000-000000000703', '2026-11-20T19:10:00.000000Z', 'citizen', '00000000-0000-4000-8000-000000000201', 'created', NULL),
    ('00000000-0000-4000-8000-000000000718', '00000000-0000-4000-8000-000000000704', '2026-11-18T14:00:00.000000Z', 'citizen', '00000000-0000-4000-8000-000000000204', 'created', NULL),
    ('00000000-0000-4000-8000-000000000719', '00000000-0000-4000-8000-000000000704', '2026-11-18T15:30:00.000000Z', 'citizen', '00000000-0000-4000-8000-000000000204', 'submitted', NULL)
ON CONFLICT DO NOTHING;

INSERT INTO messages (id, application_id, sender_kind, sender_id, body, sent_at, read_at) VALUES
    ('00000000-0000-4000-8000-000000001001', '00000000-0000-4000-8000-000000000702', 'staff', '00000000-0000-4000-8000-000000000101',
     'Guten Tag Herr Weber, vielen Dank für Ihren Antrag. Ich möchte Sie und Mia gern zu einem ersten Gespräch einladen. Passt Ihnen Dienstag, der 3. November, um 15 Uhr? Viele Grüße, Lena Hoffmann',
     '2026-10-30T11:25:00.000000Z', '2026-10-30T18:02:00.000000Z'),
    ('00000000-0000-4000-8000-000000001002', '00000000-0000-4000-8000-000000000702', 'citizen', '00000000-0000-4000-8000-000000000202',
     'Guten Tag Frau Hoffmann, der Termin passt uns gut. Wir kommen zu zweit. Viele Grüße, Jonas Weber',
     '2026-10-30T18:05:00.000000Z', '2026-11-02T08:10:00.000000Z')
ON CONFLICT DO NOTHING;

INSERT INTO case_notes (id, application_id, staff_id, body, created_at) VALUES
    ('00000000-0000-4000-8000-000000001101', '00000000-0000-4000-8000-000000000702', '00000000-0000-4000-8000-000000000101',
     'Erstgespräch am 03.11. um 15 Uhr vereinbart. Vater wirkt engagiert. Sozialpädagogische Familienhilfe nach § 31 SGB VIII prüfen; Schule (Klassenleitung) mit Einverständnis des Vaters einbeziehen.',
     '2026-10-30T11:30:00.000000Z')
ON CONFLICT DO NOTHING;

INSERT INTO document_requests (id, application_id, requested_by_staff_id, description, status, created_at, fulfilled_at) VALUES
    ('00000000-0000-4000-8000-000000001201', '00000000-0000-4000-8000-000000000702', '00000000-0000-4000-8000-000000000101',
     'Bitte laden Sie, wenn vorhanden, das letzte Zeugnis von Mia hoch. Das hilft uns bei der Planung.',
     'open', '2026-10-30T11:35:00.000000Z', NULL)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------------------------
-- Consents: Jonas lets the Sozialamt see his income (optional sharing of the Wohngeld template)
-- ---------------------------------------------------------------------------------------------

INSERT INTO consents (id, citizen_id, recipient_office_code, category_code, purpose, sharing_id, template_version_id, legal_basis, granted_at, expires_at, revoked_at) VALUES
    ('00000000-0000-4000-8000-000000000801', '00000000-0000-4000-8000-000000000202', 'sozialamt', 'income_assets',
     'Prüfung eines Anspruchs auf Grundsicherung', '00000000-0000-4000-8000-000000000321', '00000000-0000-4000-8000-000000000311',
     'art_6_1_a', '2026-11-03T10:14:00.000000Z', '2027-11-03T10:14:00.000000Z', NULL)
ON CONFLICT DO NOTHING;

INSERT INTO consent_events (id, consent_id, occurred_at, kind, actor_citizen_id, detail) VALUES
    ('00000000-0000-4000-8000-000000000811', '00000000-0000-4000-8000-000000000801', '2026-11-03T10:14:00.000000Z', 'granted',
     '00000000-0000-4000-8000-000000000202', 'Erteilt im Antrag KS-2026-000001 (Wohngeld), gültig bis 03.11.2027.')
ON CONFLICT DO NOTHING;

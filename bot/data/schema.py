"""The data file's schema, as an ordered list of migrations; `PRAGMA user_version` counts them."""

# Append new migrations; never edit one that has shipped. Timestamps are ISO-8601 UTC strings
# of fixed width (see db.iso), so comparing the text compares the times.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE registrations (
        team_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        organisation TEXT NOT NULL,
        service TEXT NOT NULL,
        staff_count INTEGER NOT NULL CHECK (staff_count BETWEEN 1 AND 1000000),
        region TEXT NOT NULL,
        stage TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL,
        consented_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (team_id, user_id)
    );
    CREATE INDEX registrations_user_id ON registrations (user_id);
    CREATE INDEX registrations_created_at ON registrations (created_at);

    -- AUTOINCREMENT: ids travel in Slack buttons, so a purged id must never be reused.
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        asked_at TEXT NOT NULL,
        question TEXT NOT NULL,
        answered INTEGER NOT NULL CHECK (answered IN (0, 1)),
        top_passage_id TEXT,
        took_ms REAL NOT NULL,
        source TEXT NOT NULL
    );
    CREATE INDEX questions_asked_at ON questions (asked_at);

    -- No foreign key to questions: feedback may arrive for a question already purged.
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        question_id INTEGER UNIQUE,
        question TEXT NOT NULL,
        helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
        passage_ids TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX feedback_created_at ON feedback (created_at);

    CREATE TABLE processed_events (
        event_id TEXT PRIMARY KEY,
        claimed_at TEXT NOT NULL
    );
    CREATE INDEX processed_events_claimed_at ON processed_events (claimed_at);
    """,
]

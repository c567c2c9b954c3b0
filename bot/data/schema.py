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
    """
    -- Ask the mutuals team. An enquiry is personal data (who asked, their words): kept while
    -- open, purged MUTUALS_LOG_RETENTION_DAYS after it was answered or closed, and erased on
    -- request (mutuals enquiries forget). `ask_key` makes it one enquiry per person and question.
    CREATE TABLE enquiries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ask_key TEXT NOT NULL UNIQUE,
        team_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        question TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
        created_at TEXT NOT NULL,
        channel TEXT NOT NULL DEFAULT '',
        message_ts TEXT NOT NULL DEFAULT '',
        resolved_at TEXT,
        resolved_by TEXT NOT NULL DEFAULT '',
        answer TEXT NOT NULL DEFAULT '',
        told_at TEXT
    );
    CREATE INDEX enquiries_user_id ON enquiries (user_id);
    CREATE INDEX enquiries_status ON enquiries (status, created_at);

    -- The team's answers that the assistant serves: kept without the asker (no user id of
    -- theirs; enquiry_id may outlive the enquiry it came from).
    CREATE TABLE team_answers (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        enquiry_id INTEGER,
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        source_title TEXT NOT NULL DEFAULT '',
        source_url TEXT NOT NULL DEFAULT '',
        as_of TEXT NOT NULL,
        answered_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        retired_at TEXT
    );
    """,
]

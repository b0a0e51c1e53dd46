/// Ordered, named migrations. A database records the ones it has applied in
/// `schema_migrations`; a new one is appended here, never edited in place.
enum Schema {
    static let migrations: [(name: String, sql: String)] = [
        ("1-feeds-items-series", """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE feeds(
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            title TEXT,
            etag TEXT,
            last_modified TEXT,
            last_poll INTEGER,
            last_success INTEGER,
            consecutive_errors INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            items_total INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE items(
            id INTEGER PRIMARY KEY,
            feed_id INTEGER NOT NULL REFERENCES feeds(id),
            key TEXT NOT NULL,
            title TEXT,
            link TEXT,
            published INTEGER,
            fetched INTEGER NOT NULL,
            bucket_start INTEGER NOT NULL,
            UNIQUE(feed_id, key)
        );
        CREATE INDEX items_by_bucket ON items(bucket_start);
        CREATE TABLE item_mentions(
            narrative TEXT NOT NULL,
            item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            mentions INTEGER NOT NULL,
            PRIMARY KEY(narrative, item_id)
        ) WITHOUT ROWID;
        CREATE INDEX item_mentions_by_item ON item_mentions(item_id);
        CREATE TABLE exposure(
            bucket_start INTEGER PRIMARY KEY,
            items INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE series(
            narrative TEXT NOT NULL,
            bucket_start INTEGER NOT NULL,
            matched INTEGER NOT NULL,
            mentions INTEGER NOT NULL,
            PRIMARY KEY(narrative, bucket_start)
        ) WITHOUT ROWID;
        CREATE TABLE evaluations(
            narrative TEXT NOT NULL,
            bucket_start INTEGER NOT NULL,
            expected REAL NOT NULL,
            score REAL NOT NULL,
            spike INTEGER NOT NULL,
            PRIMARY KEY(narrative, bucket_start)
        ) WITHOUT ROWID;
        CREATE TABLE detection_cursor(
            narrative TEXT PRIMARY KEY,
            last_evaluated INTEGER NOT NULL,
            firing_alert TEXT
        );
        CREATE TABLE alerts(
            id TEXT PRIMARY KEY,
            narrative TEXT NOT NULL,
            state TEXT NOT NULL,
            started INTEGER NOT NULL,
            ended INTEGER,
            bucket_start INTEGER NOT NULL,
            last_spike_bucket INTEGER NOT NULL,
            observed INTEGER NOT NULL,
            expected REAL NOT NULL,
            lift REAL NOT NULL,
            score REAL NOT NULL,
            spikes_90d INTEGER NOT NULL,
            previous INTEGER,
            sources INTEGER NOT NULL,
            top_items TEXT NOT NULL
        );
        CREATE INDEX alerts_by_narrative ON alerts(narrative, bucket_start);
        """),
        ("2-stories-hype-terms", """
        CREATE TABLE stories(
            id INTEGER PRIMARY KEY,
            guid TEXT,
            canonical_link TEXT,
            title_key TEXT,
            published INTEGER NOT NULL,
            sources INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX stories_by_guid ON stories(guid) WHERE guid IS NOT NULL;
        CREATE INDEX stories_by_link ON stories(canonical_link) WHERE canonical_link IS NOT NULL;
        CREATE INDEX stories_by_title ON stories(title_key, published) WHERE title_key IS NOT NULL;
        CREATE TABLE story_feeds(
            story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            feed_id INTEGER NOT NULL REFERENCES feeds(id),
            PRIMARY KEY(story_id, feed_id)
        ) WITHOUT ROWID;
        ALTER TABLE items ADD COLUMN story_id INTEGER REFERENCES stories(id);
        CREATE INDEX items_by_story ON items(story_id);
        ALTER TABLE item_mentions ADD COLUMN terms TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE series ADD COLUMN hyped INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE alerts ADD COLUMN terms TEXT NOT NULL DEFAULT '[]';
        """),
        ("3-webhook-outbox", """
        CREATE TABLE webhook_outbox(
            id INTEGER PRIMARY KEY,
            event_id TEXT NOT NULL,
            hook TEXT NOT NULL,
            body TEXT NOT NULL,
            created INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt INTEGER NOT NULL,
            last_error TEXT,
            delivered INTEGER,
            given_up INTEGER,
            UNIQUE(event_id, hook)
        );
        CREATE INDEX webhook_outbox_due ON webhook_outbox(next_attempt) WHERE delivered IS NULL AND given_up IS NULL;
        """),
        ("4-detector-state", """
        ALTER TABLE detection_cursor ADD COLUMN baseline TEXT;
        ALTER TABLE alerts ADD COLUMN previous_lift REAL;
        ALTER TABLE alerts ADD COLUMN median_gap INTEGER;
        """),
        ("5-feed-schedule", """
        ALTER TABLE feeds ADD COLUMN next_poll INTEGER;
        ALTER TABLE feeds ADD COLUMN error_class TEXT;
        ALTER TABLE feeds ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE feeds ADD COLUMN fetch_url TEXT;
        """),
        ("6-daily-rollup", """
        CREATE TABLE daily_exposure(
            day INTEGER PRIMARY KEY,
            items INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE daily_series(
            narrative TEXT NOT NULL,
            day INTEGER NOT NULL,
            matched INTEGER NOT NULL DEFAULT 0,
            mentions INTEGER NOT NULL DEFAULT 0,
            hyped INTEGER NOT NULL DEFAULT 0,
            expected REAL,
            score REAL,
            spike INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY(narrative, day)
        ) WITHOUT ROWID;
        INSERT INTO daily_exposure(day, items)
            SELECT bucket_start - bucket_start % 86400, sum(items) FROM exposure GROUP BY 1;
        INSERT INTO daily_series(narrative, day, matched, mentions, hyped)
            SELECT narrative, bucket_start - bucket_start % 86400, sum(matched), sum(mentions), sum(hyped) FROM series GROUP BY 1, 2;
        INSERT INTO daily_series(narrative, day, expected, score, spike)
            SELECT narrative, bucket_start - bucket_start % 86400, sum(expected), max(score), max(spike) FROM evaluations GROUP BY 1, 2
            ON CONFLICT(narrative, day) DO UPDATE SET expected = excluded.expected, score = excluded.score, spike = excluded.spike;
        """),
        ("7-alert-resumed", """
        ALTER TABLE alerts ADD COLUMN resumed_bucket INTEGER;
        """),
    ]
}

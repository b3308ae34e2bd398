#include "review/review_schema.h"

namespace vigil {

void create_review_schema(SQLite::Database& db) {
  // WAL: readers never wait for the writer; synchronous=NORMAL is durable
  // across a process crash (a power loss may lose the last transactions,
  // which the topics still hold).
  db.exec("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=NORMAL");
  // The queue's tables and indexes (about 60 MB at 100,000 signals) stay in
  // memory; the CloudEvents JSON, read one at a time, need not.
  db.exec("PRAGMA cache_size=-65536");
  db.exec("PRAGMA mmap_size=268435456");
  db.exec(R"sql(
    CREATE TABLE IF NOT EXISTS meta (
      name TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
    -- One row per signal_id: its latest transition, its priority parts
    -- (recency is added at query time from the stream time), its review state
    -- (the latest decision's, 'new' when none).
    -- id: the row's stable number (an alias of rowid, so VACUUM keeps it),
    -- which the search table refers to.
    CREATE TABLE IF NOT EXISTS signals (
      id INTEGER PRIMARY KEY,
      signal_id TEXT NOT NULL UNIQUE,
      detector TEXT NOT NULL,
      method TEXT NOT NULL,
      period_start INTEGER NOT NULL,
      period_end INTEGER NOT NULL,
      first_fired INTEGER NOT NULL,
      last_fired INTEGER NOT NULL,
      latest TEXT NOT NULL,
      is_open INTEGER NOT NULL,
      sequence INTEGER NOT NULL,
      severity INTEGER NOT NULL,
      observed INTEGER NOT NULL,
      expected REAL,
      threshold REAL,
      orgs INTEGER NOT NULL,
      strength REAL NOT NULL,
      severity_points REAL NOT NULL,
      spread REAL NOT NULL,
      trend REAL NOT NULL,
      rank_key REAL NOT NULL,
      review_state TEXT NOT NULL,
      summary TEXT NOT NULL,
      -- 1 while a known_issue or dismissed decision holds the signal back
      -- (review/suppression.h); lifted_for: the decision whose hold a
      -- material change or its date ended, for good in this episode.
      suppressed INTEGER NOT NULL DEFAULT 0,
      lifted_for TEXT
    );
    CREATE INDEX IF NOT EXISTS signals_queue ON signals (is_open, rank_key DESC, signal_id);
    CREATE INDEX IF NOT EXISTS signals_rank ON signals (rank_key DESC, signal_id);
    CREATE INDEX IF NOT EXISTS signals_state ON signals (review_state, rank_key DESC);
    CREATE INDEX IF NOT EXISTS signals_detector ON signals (detector, rank_key DESC);
    -- The queue's text search (search_text.h), rowid = signals.id.
    -- Trigrams: a quoted phrase of three or more characters matches as a
    -- substring through the index, so a search need not read every row.
    CREATE VIRTUAL TABLE IF NOT EXISTS signal_search USING fts5 (text, tokenize = 'trigram');
    CREATE TABLE IF NOT EXISTS events (
      signal_id TEXT PRIMARY KEY,
      cloudevent TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS lifecycle (
      signal_id TEXT NOT NULL,
      sequence INTEGER NOT NULL,
      type TEXT NOT NULL,
      fired_at INTEGER NOT NULL,
      observed INTEGER NOT NULL,
      severity INTEGER NOT NULL,
      PRIMARY KEY (signal_id, sequence)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS lifecycle_fired ON lifecycle (fired_at, signal_id);
    CREATE TABLE IF NOT EXISTS key_parts (
      signal_id TEXT NOT NULL,
      position INTEGER NOT NULL,
      dimension TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (signal_id, position)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS key_parts_value ON key_parts (dimension, value, signal_id);
    -- Every decision ever applied, including those whose signal has not
    -- arrived yet. ordinal: n of "<signal_id>-d<n>", the order of the trail.
    CREATE TABLE IF NOT EXISTS decisions (
      decision_id TEXT PRIMARY KEY,
      signal_id TEXT NOT NULL,
      ordinal INTEGER NOT NULL,
      state TEXT NOT NULL,
      reason TEXT NOT NULL,
      reviewer TEXT NOT NULL,
      time_ms INTEGER NOT NULL,
      until INTEGER,
      renotify_multiple REAL,
      observed_at_decision INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS decisions_signal ON decisions (signal_id, ordinal);
  )sql");
}

}  // namespace vigil

// The review store's SQLite schema (review_store.h), created when missing.
// One row per signal holds what the queue filters, orders and shows, so the
// queue is one indexed query; the bulky and the many-valued parts (CloudEvents
// JSON, lifecycle, key parts, decisions) live in tables of their own.
#pragma once

#include <SQLiteCpp/Database.h>

namespace vigil {

// Bumped when a table changes. Over a file of signals the decisions live
// only here, so a later version migrates the tables rather than dropping
// them; a store written by a newer version is refused.
inline constexpr int kReviewSchemaVersion = 1;

// Creates the tables and indexes that do not exist yet, in WAL mode. Throws
// SQLite::Exception.
void create_review_schema(SQLite::Database& db);

}  // namespace vigil

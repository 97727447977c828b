// Invalidations not yet applied to the disk tier, kept in a file beside its records so that a
// crash between an invalidation's acceptance and the writer's scan cannot bring invalidated
// objects back after a restart. Appended before the invalidation is acknowledged; trimmed
// once the scan has covered the entries; read (and applied) when the disk tier opens.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "cache/invalidation.h"

namespace edgefront::cache {

class InvalidationJournal {
 public:
  explicit InvalidationJournal(std::string path) : path_(std::move(path)) {}

  // Appends the rules (one line each). Called with the board's lock held, so lines are in
  // sequence order.
  void append(const std::vector<InvalidationRule>& rules);
  // Drops the entries up to `sequence` (every record has been checked against them).
  void forget_through(uint64_t sequence);
  // The rules left by an earlier run; lines that do not parse are skipped.
  std::vector<InvalidationRule> read() const;
  // Empties the file (after the rules it held were applied at startup).
  void clear();

  // One rule as a line and back (tabs separate the fields; '%', tab and newlines escaped).
  static std::string encode(const InvalidationRule& rule);
  static std::optional<InvalidationRule> decode(std::string_view line);

 private:
  void rewrite_locked();

  const std::string path_;
  mutable std::mutex mu_;
  std::vector<std::pair<uint64_t, std::string>> pending_;  // seq, line (this run's entries)
};

}  // namespace edgefront::cache

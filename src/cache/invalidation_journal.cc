#include "cache/invalidation_journal.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "base/fd_io.h"
#include "base/strings.h"

namespace edgefront::cache {

namespace {

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\t':
        out += "%09";
        break;
      case '\n':
        out += "%0A";
        break;
      case '\r':
        out += "%0D";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string InvalidationJournal::encode(const InvalidationRule& rule) {
  return std::to_string(rule.seq) + '\t' + escape(rule.distribution_id) + '\t' +
         (rule.prefix ? "1" : "0") + '\t' + escape(rule.path) + '\t' + escape(rule.tag) + '\n';
}

std::optional<InvalidationRule> InvalidationJournal::decode(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    size_t tab = line.find('\t');
    fields.push_back(line.substr(0, tab));
    if (tab == std::string_view::npos) break;
    line.remove_prefix(tab + 1);
  }
  if (fields.size() != 5 || (fields[2] != "0" && fields[2] != "1")) return std::nullopt;
  InvalidationRule rule;
  auto [end, ec] = std::from_chars(fields[0].data(), fields[0].data() + fields[0].size(), rule.seq);
  if (ec != std::errc() || end != fields[0].data() + fields[0].size()) return std::nullopt;
  if (!percent_decode(fields[1], rule.distribution_id) || !percent_decode(fields[3], rule.path) ||
      !percent_decode(fields[4], rule.tag) || rule.path.empty() == rule.tag.empty()) {
    return std::nullopt;
  }
  rule.prefix = fields[2] == "1";
  return rule;
}

void InvalidationJournal::append(const std::vector<InvalidationRule>& rules) {
  std::string text;
  std::lock_guard lock(mu_);
  for (const InvalidationRule& rule : rules) {
    std::string line = encode(rule);
    text += line;
    pending_.emplace_back(rule.seq, std::move(line));
  }
  // O_APPEND and one write: a kill -9 leaves whole lines or a torn last line (skipped).
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0 || !write_all(fd, text)) {
    spdlog::error("disk cache: cannot record invalidations in {}: {}", path_, std::strerror(errno));
  }
  if (fd >= 0) ::close(fd);
}

void InvalidationJournal::forget_through(uint64_t sequence) {
  std::lock_guard lock(mu_);
  size_t before = pending_.size();
  std::erase_if(pending_, [sequence](const auto& e) { return e.first <= sequence; });
  if (pending_.size() != before) rewrite_locked();
}

void InvalidationJournal::clear() {
  std::lock_guard lock(mu_);
  pending_.clear();
  rewrite_locked();
}

void InvalidationJournal::rewrite_locked() {
  if (pending_.empty()) {
    ::unlink(path_.c_str());
    return;
  }
  std::string temp = path_ + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0;
  for (const auto& [seq, line] : pending_) ok = ok && write_all(fd, line);
  if (fd >= 0) ::close(fd);
  // Renamed over the old file only when whole: the old one stays valid until then.
  if (!ok || std::rename(temp.c_str(), path_.c_str()) != 0) {
    spdlog::error("disk cache: cannot rewrite {}: {}", path_, std::strerror(errno));
    ::unlink(temp.c_str());
  }
}

std::vector<InvalidationRule> InvalidationJournal::read() const {
  std::vector<InvalidationRule> rules;
  std::ifstream in(path_);
  std::string line;
  while (std::getline(in, line)) {
    if (auto rule = decode(line)) {
      rules.push_back(std::move(*rule));
    } else {
      spdlog::warn("disk cache: skipping a damaged line of {}", path_);
    }
  }
  return rules;
}

}  // namespace edgefront::cache

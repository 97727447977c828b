#include "config/nesting_depth.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <sstream>
#include <string>

namespace edgefront::config::detail {

namespace {

struct TooDeep {
  YAML::Mark mark;
};

// Counts open mappings and sequences; throws TooDeep to stop the parser at the first one too deep.
class DepthCounter final : public YAML::EventHandler {
 public:
  explicit DepthCounter(int limit) : limit_(limit) {}
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    open(mark);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    open(mark);
  }
  void OnMapEnd() override { --depth_; }

 private:
  void open(const YAML::Mark& mark) {
    if (++depth_ > limit_) throw TooDeep{mark};
  }
  int limit_;
  int depth_ = 0;
};

bool value_may_start_after(char c) {
  return c == '\n' || c == ':' || c == ',' || c == '-' || c == '?' || c == '[' || c == '{';
}

// Scans text[i] onwards: a position with its line and column (both 1-based).
struct Cursor {
  std::string_view text;
  size_t i = 0;
  int line = 1;
  int column = 0;
  char next() {
    char c = text[i++];
    if (c == '\n') {
      ++line;
      column = 0;
    } else {
      ++column;
    }
    return c;
  }
  bool done() const { return i >= text.size(); }
};

// Past the closing quote of a scalar whose opening `quote` was just read.
void skip_quoted(Cursor& at, char quote) {
  while (!at.done()) {
    char c = at.next();
    if (quote == '"' && c == '\\' && !at.done()) {
      at.next();
    } else if (c == quote) {
      if (quote == '\'' && !at.done() && at.text[at.i] == '\'') {
        at.next();  // '' is an escaped quote
      } else {
        return;
      }
    }
  }
}

}  // namespace

std::optional<NestingBeyond> find_flow_nesting_beyond(std::string_view text, int limit) {
  Cursor at{text};
  int depth = 0;
  char last = '\n';  // the last character that was not a space
  while (!at.done()) {
    bool after_space =
        at.i == 0 || text[at.i - 1] == ' ' || text[at.i - 1] == '\t' || text[at.i - 1] == '\n';
    char c = at.next();
    if (c == ' ' || c == '\t' || c == '\r') continue;
    if (c == '#' && after_space) {
      while (!at.done() && text[at.i] != '\n') at.next();
      continue;
    }
    if ((c == '"' || c == '\'') && value_may_start_after(last)) {
      skip_quoted(at, c);
      last = c;
      continue;
    }
    if ((c == '[' || c == '{') && value_may_start_after(last)) {
      if (++depth > limit) return NestingBeyond{at.line, at.column};
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    last = c;
  }
  return std::nullopt;
}

std::optional<NestingBeyond> find_nesting_beyond(std::string_view text, int limit) {
  if (auto flow = find_flow_nesting_beyond(text, limit)) return flow;
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  DepthCounter counter(limit);
  try {
    parser.HandleNextDocument(counter);
  } catch (const TooDeep& deep) {
    return NestingBeyond{deep.mark.line + 1, deep.mark.column + 1};
  }
  return std::nullopt;
}

}  // namespace edgefront::config::detail

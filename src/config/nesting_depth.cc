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

}  // namespace

std::optional<NestingBeyond> find_nesting_beyond(std::string_view text, int limit) {
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

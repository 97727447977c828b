#include "cache/conditional.h"

#include <optional>

#include "base/strings.h"
#include "http/http_date.h"

namespace edgefront::cache {

namespace {

struct EntityTag {
  bool weak = false;
  std::string_view opaque;  // including the quotes
};

// Parses one entity-tag at the start of `s` (RFC 9110 8.8.3) and advances past it.
std::optional<EntityTag> take_entity_tag(std::string_view& s) {
  EntityTag tag;
  if (s.size() >= 2 && s[0] == 'W' && s[1] == '/') {
    tag.weak = true;
    s.remove_prefix(2);
  }
  if (s.empty() || s[0] != '"') return std::nullopt;
  size_t close = s.find('"', 1);
  if (close == std::string_view::npos) return std::nullopt;
  for (size_t i = 1; i < close; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x21 || c == 0x7f) return std::nullopt;  // etagc excludes controls and space
  }
  tag.opaque = s.substr(0, close + 1);
  s.remove_prefix(close + 1);
  return tag;
}

std::optional<EntityTag> parse_entity_tag(std::string_view s) {
  s = trim(s);
  std::optional<EntityTag> tag = take_entity_tag(s);
  if (!tag || !s.empty()) return std::nullopt;
  return tag;
}

// Calls match(tag) for each entity-tag of an If-Match / If-None-Match list; quoted commas do
// not split. Returns true as soon as match returns true. A malformed member ends the list.
template <class Fn>
bool any_tag(std::string_view list, Fn&& match) {
  while (true) {
    while (!list.empty() && (list[0] == ' ' || list[0] == '\t' || list[0] == ',')) {
      list.remove_prefix(1);
    }
    if (list.empty()) return false;
    std::optional<EntityTag> tag = take_entity_tag(list);
    if (!tag) return false;
    if (match(*tag)) return true;
  }
}

bool is_star(std::string_view value) { return trim(value) == "*"; }

// `Headers`: a HeaderList or a PackedHead.
template <class Headers>
std::optional<SystemTime> header_date(const Headers& h, std::string_view name) {
  std::optional<std::string_view> v = h.get(name);
  if (!v) return std::nullopt;
  return http::parse_http_date(trim(*v));
}

}  // namespace

bool etag_strong_match(std::string_view a, std::string_view b) {
  std::optional<EntityTag> x = parse_entity_tag(a);
  std::optional<EntityTag> y = parse_entity_tag(b);
  return x && y && !x->weak && !y->weak && x->opaque == y->opaque;
}

bool etag_weak_match(std::string_view a, std::string_view b) {
  std::optional<EntityTag> x = parse_entity_tag(a);
  std::optional<EntityTag> y = parse_entity_tag(b);
  return x && y && x->opaque == y->opaque;
}

ConditionalResult evaluate_conditionals(const http::RequestHead& request,
                                        const http::PackedHead& stored) {
  const int stored_status = stored.status();
  // RFC 9110 13.2.1: preconditions apply only where the response would otherwise be 2xx.
  if (stored_status < 200 || stored_status > 299) return ConditionalResult::kNone;
  const http::HeaderList& h = request.headers;
  std::optional<EntityTag> current;
  if (std::optional<std::string_view> etag = stored.get("ETag")) current = parse_entity_tag(*etag);
  std::optional<SystemTime> last_modified = header_date(stored, "Last-Modified");
  bool get_or_head = request.method == http::Method::kGet || request.method == http::Method::kHead;

  // Step 1: If-Match (strong comparison), else step 2: If-Unmodified-Since.
  if (std::optional<std::string> if_match = h.get_combined("If-Match")) {
    bool ok = is_star(*if_match) ||
              (current && !current->weak && any_tag(*if_match, [&](const EntityTag& t) {
                 return !t.weak && t.opaque == current->opaque;
               }));
    if (!ok) return ConditionalResult::kPreconditionFailed;
  } else if (std::optional<SystemTime> ius = header_date(h, "If-Unmodified-Since")) {
    if (last_modified && *last_modified > *ius) return ConditionalResult::kPreconditionFailed;
  }

  // Step 3: If-None-Match (weak comparison), else step 4: If-Modified-Since (GET/HEAD only).
  if (std::optional<std::string> if_none_match = h.get_combined("If-None-Match")) {
    bool matched =
        is_star(*if_none_match) || (current && any_tag(*if_none_match, [&](const EntityTag& t) {
                                      return t.opaque == current->opaque;
                                    }));
    if (matched) {
      return get_or_head ? ConditionalResult::kNotModified : ConditionalResult::kPreconditionFailed;
    }
  } else if (get_or_head) {
    if (std::optional<SystemTime> ims = header_date(h, "If-Modified-Since")) {
      if (last_modified && *last_modified <= *ims) return ConditionalResult::kNotModified;
    }
  }
  return ConditionalResult::kNone;
}

}  // namespace edgefront::cache

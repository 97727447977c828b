#include "cache/cache_control.h"

#include <algorithm>

#include "base/strings.h"

namespace edgefront::cache {

namespace {

using std::chrono::seconds;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// delta-seconds (RFC 9111 1.2.2): digits only; values past 2^31 saturate.
std::optional<seconds> parse_delta_seconds(std::string_view s) {
  if (s.empty()) return std::nullopt;
  long long value = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    if (value < kMaxDeltaSeconds.count()) value = value * 10 + (c - '0');
  }
  return seconds(std::min(value, static_cast<long long>(kMaxDeltaSeconds.count())));
}

// Splits a field-name list ("Set-Cookie, X-Foo") into names.
std::vector<std::string> field_names(std::string_view list) {
  std::vector<std::string> out;
  for_each_list_token(list, [&](std::string_view name) { out.emplace_back(name); });
  return out;
}

// One directive: name and (unquoted) argument.
struct Directive {
  std::string_view name;
  std::string argument;
  bool has_argument = false;
};

// Tokenises a Cache-Control value; commas inside quoted strings do not split, and an
// unterminated quote runs to the end of the value.
std::vector<Directive> split_directives(std::string_view value) {
  std::vector<Directive> out;
  size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && (value[i] == ',' || value[i] == ' ' || value[i] == '\t')) ++i;
    size_t start = i;
    while (i < value.size() && value[i] != ',' && value[i] != '=') ++i;
    Directive d;
    d.name = trim(value.substr(start, i - start));
    if (i < value.size() && value[i] == '=') {
      d.has_argument = true;
      ++i;
      while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
      if (i < value.size() && value[i] == '"') {
        ++i;
        while (i < value.size() && value[i] != '"') {
          if (value[i] == '\\' && i + 1 < value.size()) ++i;
          d.argument.push_back(value[i]);
          ++i;
        }
        if (i < value.size()) ++i;                        // closing quote
        while (i < value.size() && value[i] != ',') ++i;  // junk after the quote is dropped
      } else {
        size_t arg_start = i;
        while (i < value.size() && value[i] != ',') ++i;
        d.argument = std::string(trim(value.substr(arg_start, i - arg_start)));
      }
    }
    if (!d.name.empty()) out.push_back(std::move(d));
  }
  return out;
}

// Applies a delta-seconds directive. Duplicates with different values are a conflict; for
// max-age and s-maxage the response is then treated as stale (RFC 9111 4.2.1).
void apply_delta(std::optional<seconds>& slot, const Directive& d, bool stale_on_conflict) {
  if (!d.has_argument) return;
  std::optional<seconds> v = parse_delta_seconds(d.argument);
  if (!v) return;
  if (!slot) {
    slot = v;
  } else if (*slot != *v && stale_on_conflict) {
    slot = seconds(0);
  }
}

void apply_field_list(bool& flag, std::vector<std::string>& fields, bool& unqualified_seen,
                      const Directive& d) {
  flag = true;
  if (!d.has_argument || trim(d.argument).empty()) {
    unqualified_seen = true;
    return;
  }
  for (std::string& name : field_names(d.argument)) fields.push_back(std::move(name));
}

}  // namespace

CacheControl parse_cache_control(std::string_view value) {
  CacheControl cc;
  bool no_cache_unqualified = false;
  bool private_unqualified = false;
  for (const Directive& d : split_directives(value)) {
    auto is = [&](std::string_view name) { return iequals(d.name, name); };
    if (is("max-age")) {
      apply_delta(cc.max_age, d, true);
    } else if (is("s-maxage")) {
      apply_delta(cc.s_maxage, d, true);
    } else if (is("stale-while-revalidate")) {
      apply_delta(cc.stale_while_revalidate, d, false);
    } else if (is("stale-if-error")) {
      apply_delta(cc.stale_if_error, d, false);
    } else if (is("max-stale")) {
      if (d.has_argument) {
        apply_delta(cc.max_stale, d, false);
      } else {
        cc.max_stale_any = true;
      }
    } else if (is("min-fresh")) {
      apply_delta(cc.min_fresh, d, false);
    } else if (is("no-store")) {
      cc.no_store = true;
    } else if (is("no-cache")) {
      apply_field_list(cc.no_cache, cc.no_cache_fields, no_cache_unqualified, d);
    } else if (is("private")) {
      apply_field_list(cc.private_, cc.private_fields, private_unqualified, d);
    } else if (is("public")) {
      cc.public_ = true;
    } else if (is("must-revalidate")) {
      cc.must_revalidate = true;
    } else if (is("proxy-revalidate")) {
      cc.proxy_revalidate = true;
    } else if (is("immutable")) {
      cc.immutable = true;
    } else if (is("no-transform")) {
      cc.no_transform = true;
    } else if (is("must-understand")) {
      cc.must_understand = true;
    } else if (is("only-if-cached")) {
      cc.only_if_cached = true;
    }
  }
  // The unqualified form is the stricter one and wins over a qualified duplicate.
  if (no_cache_unqualified) cc.no_cache_fields.clear();
  if (private_unqualified) cc.private_fields.clear();
  return cc;
}

namespace {

// A minimal RFC 8941 Dictionary reader: validates the whole value and yields each member's
// key and bare item (inner lists are validated and reported as such). Parameters are
// validated and ignored.
class DictionaryReader {
 public:
  struct Item {
    enum class Type { kInteger, kDecimal, kString, kToken, kBytes, kBoolean, kInnerList };
    Type type = Type::kBoolean;
    long long integer = 0;
    bool boolean = true;
    std::string text;  // string or token
  };

  explicit DictionaryReader(std::string_view s) : s_(s) {}

  // Calls fn(key, item) for each member in order; false if the value is not a dictionary.
  template <class Fn>
  bool read(Fn&& fn) {
    skip_sp();
    if (at_end()) return true;  // an empty dictionary is valid
    while (true) {
      std::string key;
      if (!read_key(key)) return false;
      Item item;
      if (peek('=')) {
        ++i_;
        if (peek('(')) {
          if (!read_inner_list()) return false;
          item.type = Item::Type::kInnerList;
        } else if (!read_bare_item(item)) {
          return false;
        }
      }
      if (!read_parameters()) return false;
      fn(key, item);
      skip_ows();
      if (at_end()) return true;
      if (!peek(',')) return false;
      ++i_;
      skip_ows();
      if (at_end()) return false;  // trailing comma
    }
  }

 private:
  bool at_end() const { return i_ >= s_.size(); }
  bool peek(char c) const { return !at_end() && s_[i_] == c; }
  void skip_sp() {
    while (peek(' ')) ++i_;
  }
  void skip_ows() {
    while (peek(' ') || peek('\t')) ++i_;
  }
  static bool lcalpha(char c) { return c >= 'a' && c <= 'z'; }
  static bool alpha(char c) { return lcalpha(c) || (c >= 'A' && c <= 'Z'); }
  static bool tchar(char c) {
    return alpha(c) || is_digit(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  }

  bool read_key(std::string& key) {
    if (at_end() || !(lcalpha(s_[i_]) || s_[i_] == '*')) return false;
    while (!at_end() && (lcalpha(s_[i_]) || is_digit(s_[i_]) || s_[i_] == '_' || s_[i_] == '-' ||
                         s_[i_] == '.' || s_[i_] == '*')) {
      key.push_back(s_[i_++]);
    }
    return true;
  }

  bool read_bare_item(Item& item) {
    if (at_end()) return false;
    char c = s_[i_];
    if (c == '-' || is_digit(c)) return read_number(item);
    if (c == '"') return read_string(item);
    if (c == '?') {
      if (i_ + 1 >= s_.size() || (s_[i_ + 1] != '0' && s_[i_ + 1] != '1')) return false;
      item.type = Item::Type::kBoolean;
      item.boolean = s_[i_ + 1] == '1';
      i_ += 2;
      return true;
    }
    if (c == ':') return read_bytes(item);
    if (alpha(c) || c == '*') {
      item.type = Item::Type::kToken;
      while (!at_end() && (tchar(s_[i_]) || s_[i_] == ':' || s_[i_] == '/')) {
        item.text.push_back(s_[i_++]);
      }
      return true;
    }
    return false;
  }

  bool read_number(Item& item) {
    bool negative = peek('-');
    if (negative) ++i_;
    size_t digits = 0;
    size_t frac = 0;
    bool decimal = false;
    long long value = 0;
    while (!at_end()) {
      char c = s_[i_];
      if (is_digit(c)) {
        if (decimal) {
          ++frac;
        } else {
          ++digits;
          value = value * 10 + (c - '0');
        }
      } else if (c == '.' && !decimal) {
        if (digits == 0 || digits > 12) return false;
        decimal = true;
      } else {
        break;
      }
      ++i_;
      if (!decimal && digits > 15) return false;
    }
    if (digits == 0) return false;
    if (decimal && (frac == 0 || frac > 3)) return false;
    item.type = decimal ? Item::Type::kDecimal : Item::Type::kInteger;
    item.integer = negative ? -value : value;
    return true;
  }

  bool read_string(Item& item) {
    ++i_;  // opening quote
    while (!at_end()) {
      char c = s_[i_++];
      if (c == '"') {
        item.type = Item::Type::kString;
        return true;
      }
      if (c == '\\') {
        if (at_end() || (s_[i_] != '"' && s_[i_] != '\\')) return false;
        c = s_[i_++];
      } else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
        return false;
      }
      item.text.push_back(c);
    }
    return false;  // unterminated
  }

  bool read_bytes(Item& item) {
    ++i_;
    while (!at_end() && s_[i_] != ':') {
      char c = s_[i_++];
      if (!(alpha(c) || is_digit(c) || c == '+' || c == '/' || c == '=')) return false;
    }
    if (at_end()) return false;
    ++i_;
    item.type = Item::Type::kBytes;
    return true;
  }

  bool read_inner_list() {
    ++i_;  // '('
    while (!at_end()) {
      while (peek(' ')) ++i_;
      if (peek(')')) {
        ++i_;
        return read_parameters();
      }
      Item member;
      if (!read_bare_item(member) || !read_parameters()) return false;
      if (!peek(' ') && !peek(')')) return false;
    }
    return false;
  }

  bool read_parameters() {
    while (peek(';')) {
      ++i_;
      skip_sp();
      std::string key;
      if (!read_key(key)) return false;
      if (peek('=')) {
        ++i_;
        Item value;
        if (!read_bare_item(value)) return false;
      }
    }
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// A targeted delta-seconds directive must be a non-negative Integer (RFC 9213 2.1); other
// types are ignored.
void apply_targeted_delta(std::optional<seconds>& slot, const DictionaryReader::Item& item) {
  if (item.type != DictionaryReader::Item::Type::kInteger || item.integer < 0) return;
  slot = seconds(std::min(item.integer, static_cast<long long>(kMaxDeltaSeconds.count())));
}

// no-cache / private: true, or a String listing field names.
void apply_targeted_list(bool& flag, std::vector<std::string>& fields,
                         const DictionaryReader::Item& item) {
  using Type = DictionaryReader::Item::Type;
  if (item.type == Type::kBoolean) {
    flag = item.boolean;
    if (flag) fields.clear();
  } else if (item.type == Type::kString) {
    flag = true;
    fields = field_names(item.text);
  }
}

bool targeted_flag(const DictionaryReader::Item& item) {
  return item.type == DictionaryReader::Item::Type::kBoolean && item.boolean;
}

}  // namespace

std::optional<CacheControl> parse_targeted_cache_control(std::string_view value) {
  CacheControl cc;
  DictionaryReader reader(value);
  // Later duplicates overwrite earlier ones (RFC 8941 dictionary semantics).
  bool ok = reader.read([&](const std::string& key, const DictionaryReader::Item& item) {
    if (key == "max-age") {
      apply_targeted_delta(cc.max_age, item);
    } else if (key == "s-maxage") {
      apply_targeted_delta(cc.s_maxage, item);
    } else if (key == "stale-while-revalidate") {
      apply_targeted_delta(cc.stale_while_revalidate, item);
    } else if (key == "stale-if-error") {
      apply_targeted_delta(cc.stale_if_error, item);
    } else if (key == "no-store") {
      cc.no_store = targeted_flag(item);
    } else if (key == "no-cache") {
      apply_targeted_list(cc.no_cache, cc.no_cache_fields, item);
    } else if (key == "private") {
      apply_targeted_list(cc.private_, cc.private_fields, item);
    } else if (key == "public") {
      cc.public_ = targeted_flag(item);
    } else if (key == "must-revalidate") {
      cc.must_revalidate = targeted_flag(item);
    } else if (key == "proxy-revalidate") {
      cc.proxy_revalidate = targeted_flag(item);
    } else if (key == "immutable") {
      cc.immutable = targeted_flag(item);
    } else if (key == "no-transform") {
      cc.no_transform = targeted_flag(item);
    } else if (key == "must-understand") {
      cc.must_understand = targeted_flag(item);
    }
  });
  if (!ok) return std::nullopt;
  return cc;
}

SelectedCacheControl selected_cache_control(const http::HeaderList& response) {
  SelectedCacheControl out;
  for (std::string_view field :
       {std::string_view("Edgefront-Cache-Control"), std::string_view("CDN-Cache-Control")}) {
    std::optional<std::string> value = response.get_combined(field);
    if (!value) continue;
    if (std::optional<CacheControl> cc = parse_targeted_cache_control(*value)) {
      out.directives = std::move(*cc);
      out.targeted = true;
      out.field = field;
      return out;
    }
  }
  if (std::optional<std::string> value = response.get_combined("Cache-Control")) {
    out.directives = parse_cache_control(*value);
    out.field = "Cache-Control";
  }
  return out;
}

}  // namespace edgefront::cache

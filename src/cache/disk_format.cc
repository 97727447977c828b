#include "cache/disk_format.h"

#include <cstring>

namespace edgefront::cache {

namespace {

constexpr char kMagic[4] = {'E', 'F', 'D', 'C'};

Error corrupt(std::string what) {
  return make_error(ErrorKind::kInternal, Fault::kInternal, "disk record: " + std::move(what));
}

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(uint32_t v) { le(v, 4); }
  void u64(uint64_t v) { le(v, 8); }
  void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
  void str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  void time(SystemTime t) { i64(t.time_since_epoch().count()); }

 private:
  void le(uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string& out_;
};

// Bounds-checked reads; the first failure sticks and every later read yields zero.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool at_end() const { return in_.empty(); }
  uint8_t u8() { return static_cast<uint8_t>(le(1)); }
  uint32_t u32() { return static_cast<uint32_t>(le(4)); }
  uint64_t u64() { return le(8); }
  int64_t i64() { return static_cast<int64_t>(le(8)); }
  bool flag() {
    uint8_t v = u8();
    if (v > 1) ok_ = false;
    return v == 1;
  }
  std::string str() {
    uint32_t n = u32();
    if (!ok_ || n > in_.size()) {
      ok_ = false;
      return {};
    }
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  SystemTime time() { return SystemTime(SystemTime::duration(i64())); }
  // A count of items each at least `min_item_bytes` long: never more than what is left.
  uint32_t count(size_t min_item_bytes) {
    uint32_t n = u32();
    if (n > in_.size() / min_item_bytes) ok_ = false;
    return ok_ ? n : 0;
  }

 private:
  uint64_t le(int bytes) {
    if (!ok_ || in_.size() < static_cast<size_t>(bytes)) {
      ok_ = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint64_t(static_cast<uint8_t>(in_[i])) << (8 * i);
    in_.remove_prefix(bytes);
    return v;
  }
  std::string_view in_;
  bool ok_ = true;
};

uint64_t read_le64(std::string_view s) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(static_cast<uint8_t>(s[i])) << (8 * i);
  return v;
}
uint32_t read_le32(std::string_view s) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(static_cast<uint8_t>(s[i])) << (8 * i);
  return v;
}

uint64_t head_checksum(std::string_view fixed24, std::string_view primary_and_meta) {
  XXH3_state_t* st = XXH3_createState();
  XXH3_64bits_reset(st);
  XXH3_64bits_update(st, fixed24.data(), fixed24.size());
  XXH3_64bits_update(st, primary_and_meta.data(), primary_and_meta.size());
  uint64_t h = XXH3_64bits_digest(st);
  XXH3_freeState(st);
  return h;
}

}  // namespace

std::string encode_meta(const ObjectMeta& m) {
  std::string out;
  Writer w(out);
  w.u32(static_cast<uint32_t>(m.head.status()));
  w.str(m.head.reason());
  w.u8(m.head.version().major);
  w.u8(m.head.version().minor);
  w.u32(static_cast<uint32_t>(m.head.field_count()));
  for (const auto& [name, value] : m.head) {
    w.str(name);
    w.str(value);
  }
  w.time(m.age_inputs.request_time);
  w.time(m.age_inputs.response_time);
  w.u8(m.age_inputs.date ? 1 : 0);
  w.time(m.age_inputs.date.value_or(SystemTime{}));
  w.i64(m.age_inputs.age_value.count());
  const StorageDecision& d = m.decision;
  w.u8(d.store);
  w.i64(d.ttl.count());
  w.i64(d.stale_while_revalidate.count());
  w.i64(d.stale_if_error.count());
  for (bool b : {d.revalidate_always, d.collapsible, d.strip_set_cookie, d.must_revalidate,
                 d.heuristic, d.serve_stale_on_origin_error}) {
    w.u8(b ? 1 : 0);
  }
  w.u32(static_cast<uint32_t>(d.omit_fields.size()));
  for (const std::string& f : d.omit_fields) w.str(f);
  w.u8(m.has_validator);
  w.str(m.secondary_key);
  w.str(m.distribution_id);
  w.str(m.path);
  w.u32(static_cast<uint32_t>(m.tags.size()));
  for (const std::string& t : m.tags) w.str(t);
  w.u8(m.content_length ? 1 : 0);
  w.u64(m.content_length.value_or(0));
  w.u8(static_cast<uint8_t>(m.compressed));
  return out;
}

Result<ObjectMeta> decode_meta(std::string_view bytes) {
  Reader r(bytes);
  ObjectMeta m;
  uint32_t status = r.u32();
  if (status < 100 || status > 999) return corrupt("bad status");
  http::ResponseHead head;
  head.status = static_cast<int>(status);
  head.reason = r.str();
  head.version.major = r.u8();
  head.version.minor = r.u8();
  for (uint32_t n = r.count(8); n > 0 && r.ok(); --n) {
    std::string name = r.str();
    std::string value = r.str();
    head.headers.add(name, value);
  }
  m.head = http::PackedHead(head);
  m.age_inputs.request_time = r.time();
  m.age_inputs.response_time = r.time();
  bool has_date = r.flag();
  SystemTime date = r.time();
  if (has_date) m.age_inputs.date = date;
  if (!has_date && date != SystemTime{}) return corrupt("date without its flag");
  m.age_inputs.age_value = Seconds(r.i64());
  StorageDecision& d = m.decision;
  d.store = r.flag();
  d.ttl = Seconds(r.i64());
  d.stale_while_revalidate = Seconds(r.i64());
  d.stale_if_error = Seconds(r.i64());
  d.revalidate_always = r.flag();
  d.collapsible = r.flag();
  d.strip_set_cookie = r.flag();
  d.must_revalidate = r.flag();
  d.heuristic = r.flag();
  d.serve_stale_on_origin_error = r.flag();
  for (uint32_t n = r.count(4); n > 0 && r.ok(); --n) d.omit_fields.push_back(r.str());
  m.has_validator = r.flag();
  m.secondary_key = r.str();
  m.distribution_id = r.str();
  m.path = r.str();
  for (uint32_t n = r.count(4); n > 0 && r.ok(); --n) m.tags.push_back(r.str());
  bool has_length = r.flag();
  uint64_t length = r.u64();
  if (has_length) m.content_length = length;
  if (!has_length && length != 0) return corrupt("length without its flag");
  uint8_t coding = r.u8();
  if (coding > static_cast<uint8_t>(http::Coding::kZstd)) return corrupt("unknown coding");
  m.compressed = static_cast<http::Coding>(coding);
  if (!r.ok()) return corrupt("meta truncated or malformed");
  if (!r.at_end()) return corrupt("trailing bytes after meta");
  return m;
}

std::string encode_record_head(std::string_view primary, const ObjectMeta& meta,
                               uint64_t body_length) {
  std::string meta_bytes = encode_meta(meta);
  std::string out;
  out.reserve(kRecordHeaderBytes + primary.size() + meta_bytes.size());
  Writer w(out);
  out.append(kMagic, sizeof(kMagic));
  w.u32(kRecordVersion);
  w.u32(static_cast<uint32_t>(primary.size()));
  w.u32(static_cast<uint32_t>(meta_bytes.size()));
  w.u64(body_length);
  std::string tail;
  tail.reserve(primary.size() + meta_bytes.size());
  tail.append(primary);
  tail.append(meta_bytes);
  w.u64(head_checksum(out, tail));
  out.append(tail);
  return out;
}

std::string encode_record(std::string_view primary, const ObjectMeta& meta, std::string_view body) {
  std::string out = encode_record_head(primary, meta, body.size());
  BodyChecksum sum;
  sum.update(body);
  const uint64_t digest = sum.digest(record_head_checksum(out));
  out.append(body);
  out.append(encode_trailer(digest));
  return out;
}

Result<uint64_t> record_head_length(std::string_view header) {
  if (header.size() < kRecordHeaderBytes) return corrupt("shorter than its header");
  if (std::memcmp(header.data(), kMagic, sizeof(kMagic)) != 0) return corrupt("bad magic");
  if (read_le32(header.substr(4)) != kRecordVersion) return corrupt("unknown version");
  uint32_t primary_len = read_le32(header.substr(8));
  uint32_t meta_len = read_le32(header.substr(12));
  if (primary_len == 0 || primary_len > kMaxPrimaryBytes) return corrupt("bad key length");
  if (meta_len > kMaxMetaBytes) return corrupt("bad meta length");
  return uint64_t(kRecordHeaderBytes) + primary_len + meta_len;
}

Result<RecordHead> decode_record_head(std::string_view prefix, uint64_t file_size) {
  Result<uint64_t> head_length = record_head_length(prefix);
  if (!head_length.ok()) return head_length.error();
  if (prefix.size() < head_length.value()) return corrupt("head truncated");
  uint32_t primary_len = read_le32(prefix.substr(8));
  uint32_t meta_len = read_le32(prefix.substr(12));
  uint64_t body_len = read_le64(prefix.substr(16));
  // Overflow-safe: body_len is untrusted.
  uint64_t fixed = head_length.value() + kRecordTrailerBytes;
  if (file_size < fixed || body_len != file_size - fixed) {
    return corrupt("lengths do not add up to the file size");
  }
  uint64_t stored = read_le64(prefix.substr(24));
  std::string_view tail = prefix.substr(kRecordHeaderBytes, primary_len + meta_len);
  if (head_checksum(prefix.substr(0, 24), tail) != stored) return corrupt("head checksum");
  Result<ObjectMeta> meta = decode_meta(tail.substr(primary_len));
  if (!meta.ok()) return meta.error();
  RecordHead head;
  head.primary = std::string(tail.substr(0, primary_len));
  head.meta = std::move(meta.value());
  head.body_offset = head_length.value();
  head.body_length = body_len;
  head.head_checksum = stored;
  return head;
}

uint64_t record_head_checksum(std::string_view encoded_head) {
  return read_le64(encoded_head.substr(24, 8));
}

BodyChecksum::BodyChecksum() : state_(XXH3_createState()) { XXH3_64bits_reset(state_); }
BodyChecksum::~BodyChecksum() { XXH3_freeState(state_); }
void BodyChecksum::update(std::string_view data) {
  XXH3_64bits_update(state_, data.data(), data.size());
}
uint64_t BodyChecksum::digest(uint64_t head_checksum) const {
  const std::string body_hash = encode_trailer(XXH3_64bits_digest(state_));
  return XXH3_64bits_withSeed(body_hash.data(), body_hash.size(), head_checksum);
}

std::string encode_trailer(uint64_t body_checksum) {
  std::string out;
  Writer(out).u64(body_checksum);
  return out;
}

Result<DecodedRecord> decode_record(std::string_view bytes, std::string_view expected_primary) {
  Result<RecordHead> head = decode_record_head(bytes, bytes.size());
  if (!head.ok()) return head.error();
  DecodedRecord rec;
  rec.head = std::move(head.value());
  if (!expected_primary.empty() && rec.head.primary != expected_primary) {
    return corrupt("stored under another key");
  }
  rec.body = bytes.substr(rec.head.body_offset, rec.head.body_length);
  BodyChecksum sum;
  sum.update(rec.body);
  if (sum.digest(rec.head.head_checksum) !=
      read_le64(bytes.substr(bytes.size() - kRecordTrailerBytes))) {
    return corrupt("body checksum");
  }
  return rec;
}

}  // namespace edgefront::cache

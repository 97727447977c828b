// The log step: what every request does last, on both entry points (the pipeline's handle()
// and hits answered at once). It completes the request's record from the viewer's connection
// and the sink's tally and hands the access log its line.
#include <charconv>
#include <random>

#include "base/strings.h"
#include "obs/access_log_format.h"
#include "proxy/pipeline.h"
#include "proxy/recording_sink.h"
#include "proxy/request.h"

namespace edgefront::proxy {

namespace {

// A request id unique enough to find one request in the logs: a per-thread random start and
// a counter, as 20 base64url characters.
std::string_view next_request_id(char (&buf)[24]) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  thread_local uint64_t high =
      std::random_device{}() * 0x9E3779B97F4A7C15ull ^ std::random_device{}();
  thread_local uint64_t counter = std::random_device{}();
  uint64_t parts[2] = {high, ++counter};
  size_t n = 0;
  for (uint64_t part : parts) {
    for (int i = 0; i < 10; ++i) {
      buf[n++] = kAlphabet[part & 63];
      part >>= 6;
    }
  }
  return {buf, n};
}

bool sampled(int percent) {
  if (percent >= 100) return true;
  thread_local std::minstd_rand rng{std::random_device{}()};
  return static_cast<int>(rng() % 100) < percent;
}

uint64_t request_body_bytes(const http::RequestHead& request) {
  return request.content_length.value_or(0);
}

}  // namespace

std::optional<std::pair<uint64_t, uint64_t>> parse_content_range(std::string_view value) {
  constexpr std::string_view kBytes = "bytes ";
  if (!value.starts_with(kBytes)) return std::nullopt;
  value.remove_prefix(kBytes.size());
  uint64_t first = 0;
  uint64_t last = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), first);
  if (ec != std::errc() || p == value.data() + value.size() || *p != '-') return std::nullopt;
  auto [q, ec2] = std::from_chars(p + 1, value.data() + value.size(), last);
  if (ec2 != std::errc() || last < first) return std::nullopt;
  return std::make_pair(first, last);
}

std::optional<std::string_view> find_header_line(std::string_view lines, std::string_view name) {
  size_t at = 0;
  while (at < lines.size()) {
    size_t end = lines.find("\r\n", at);
    if (end == std::string_view::npos) end = lines.size();
    std::string_view line = lines.substr(at, end - at);
    if (line.size() > name.size() && line[name.size()] == ':' &&
        iequals(line.substr(0, name.size()), name)) {
      return trim(line.substr(name.size() + 1));
    }
    at = end + 2;
  }
  return std::nullopt;
}

std::string_view ProxyHandler::note_result(Request& r, obs::EdgeResult result) {
  r.record.result = result;
  r.record.response_result = result;
  return obs::x_cache_value(result);
}

bool ProxyHandler::logs(const Request& r) const {
  if (!worker_.access_log() || !r.dist || r.unrouted) return false;
  const config::AccessLogSettings& settings = r.rt->config().server.access_log;
  const config::DistributionLogging& logging = r.dist->config->logging;
  return settings.force_all || logging.enabled.value_or(true);
}

void ProxyHandler::log_request(Request& r) {
  if (!logs(r)) return;
  const config::DistributionLogging& logging = r.dist->config->logging;
  if (!sampled(logging.sampling_percent)) return;
  obs::RequestRecord& rec = r.record;
  const http::Exchange& ex = r.ex;
  const http::ResponseTally& tally = ex.response.tally();
  rec.client_ip = ex.viewer.peer_ip;
  rec.client_port = ex.viewer.peer_port;
  rec.tls = ex.viewer.tls;
  rec.tls_protocol = ex.viewer.tls_protocol;
  rec.tls_cipher = ex.viewer.tls_cipher;
  rec.http2 = ex.viewer.http2;
  rec.received = ex.received;
  rec.bytes_in = ex.head_bytes + request_body_bytes(ex.request);
  rec.distribution_id = r.dist->config->id;
  rec.status = tally.status;
  rec.bytes_out = tally.head_bytes + tally.body_bytes;
  if (tally.status != 0) rec.first_byte = tally.head_queued;
  rec.aborted = tally.aborted;
  // CloudFront: 4xx and 5xx answers are Error; a response cut off after it started is Error
  // after the last byte while its response result stays what it was.
  if (rec.status >= 400 && rec.result != obs::EdgeResult::kLimitExceeded &&
      rec.result != obs::EdgeResult::kCapacityExceeded) {
    rec.result = rec.response_result = obs::EdgeResult::kError;
  }
  if (rec.aborted || rec.status == 0) {
    rec.result = obs::EdgeResult::kError;
    if (rec.detailed_error.empty()) rec.detailed_error = "AbortedOrigin";
  }
  const config::AccessLogSettings& settings = r.rt->config().server.access_log;
  char id[24];
  std::string_view host = r.dist->config->aliases.empty()
                              ? ex.request.headers.get("Host").value_or("")
                              : std::string_view(r.dist->config->aliases.front());
  obs::AccessLogEntry entry{rec,
                            ex.request,
                            coarse_system_now(),
                            std::chrono::steady_clock::now(),
                            next_request_id(id),
                            settings.edge_location,
                            host,
                            logging.include_cookies};
  thread_local std::string line;
  line.clear();
  obs::AccessLog& log = *worker_.access_log();
  obs::append_access_log_line(log.format(), entry, line);
  log.submit(worker_.index(), line);
}

}  // namespace edgefront::proxy

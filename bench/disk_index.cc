// Index overhead per object at scale: inserts N entries into the disk tier's index (records
// "already on disk", no files touched) and reports the heap bytes per object the index and
// its eviction policy take (glibc mallinfo2 around the inserts) next to the store's own
// estimate; with --memory-store, the same for N small objects in the memory tier (whole
// objects: entry, meta, fill, policy).
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "cache/disk_store.h"
#include "cache/memory_store.h"

namespace {

using edgefront::cache::CachedObject;
using edgefront::cache::Fill;
using edgefront::cache::InvalidationBoard;
using edgefront::cache::ObjectMeta;

void disk_index(uint64_t objects, uint64_t object_bytes) {
  InvalidationBoard board;
  // A budget that holds them all: nothing is evicted, every entry stays resident.
  edgefront::cache::DiskStore store("/nonexistent", objects * (object_bytes + 4096) * 2, board);
  std::mt19937_64 rng(42);
  const size_t before = mallinfo2().uordblks;
  for (uint64_t i = 0; i < objects; ++i) {
    uint64_t primary_hash = rng();
    store.adopt(rng(), primary_hash, object_bytes);
  }
  const size_t after = mallinfo2().uordblks;
  edgefront::cache::DiskStats s = store.stats();
  std::printf("disk index: %llu objects, %.1f heap bytes/object (estimate %.1f)\n",
              static_cast<unsigned long long>(s.objects),
              static_cast<double>(after - before) / static_cast<double>(s.objects),
              static_cast<double>(s.index_bytes) / static_cast<double>(s.objects));
}

void memory_store(uint64_t objects, uint64_t body_bytes) {
  InvalidationBoard board;
  edgefront::cache::MemoryStore store(objects * (body_bytes + 1024) * 2, board);
  const std::string body(body_bytes, 'b');
  edgefront::http::ResponseHead head;
  head.headers.add("Content-Type", "text/plain");
  head.headers.add("Cache-Control", "max-age=3600");
  const size_t before = mallinfo2().uordblks;
  for (uint64_t i = 0; i < objects; ++i) {
    auto meta = std::make_shared<ObjectMeta>();
    meta->head = edgefront::http::PackedHead(head);
    meta->distribution_id = "main";
    meta->path = "/objects/" + std::to_string(i);
    meta->content_length = body_bytes;
    auto fill = std::make_shared<Fill>(body_bytes);
    fill->append(body);
    fill->complete();
    auto object = std::make_shared<CachedObject>(meta, fill, 0);
    std::string primary = "main\n\n/objects/" + std::to_string(i) + "\n";
    uint64_t hash = std::hash<std::string>{}(primary);
    store.insert(primary, hash, object);
    store.account(object, body_bytes + 128);
  }
  const size_t after = mallinfo2().uordblks;
  const uint64_t resident = store.stats().objects;
  const double per_object = static_cast<double>(after - before) / static_cast<double>(resident);
  std::printf(
      "memory tier: %llu objects of %llu body bytes, %.1f heap bytes/object "
      "(%.1f beyond the body)\n",
      static_cast<unsigned long long>(resident), static_cast<unsigned long long>(body_bytes),
      per_object, per_object - static_cast<double>(body_bytes));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"index overhead per object of the disk tier (and the memory tier)"};
  uint64_t objects = 1'000'000;
  uint64_t object_bytes = 16 * 1024;
  uint64_t small_body = 100;
  bool with_memory = false;
  app.add_option("--objects", objects, "objects to insert");
  app.add_option("--object-bytes", object_bytes, "size of each (simulated) disk record");
  app.add_flag("--memory-store", with_memory, "also measure the memory tier");
  app.add_option("--small-body", small_body, "body bytes of each memory-tier object");
  CLI11_PARSE(app, argc, argv);
  disk_index(objects, object_bytes);
  if (with_memory) memory_store(objects, small_body);
  return 0;
}

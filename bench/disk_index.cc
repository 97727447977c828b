// Index overhead of the disk tier: inserts N index entries (records "already on disk", no
// files touched) and reports the heap bytes per object the index and its eviction policy
// take, measured with mallinfo2 around the inserts, next to the store's own estimate.
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <random>

#include "cache/disk_store.h"

int main(int argc, char** argv) {
  CLI::App app{"disk tier index overhead per object"};
  uint64_t objects = 1'000'000;
  uint64_t object_bytes = 16 * 1024;
  app.add_option("--objects", objects, "index entries to insert");
  app.add_option("--object-bytes", object_bytes, "size of each (simulated) record");
  CLI11_PARSE(app, argc, argv);

  edgefront::cache::InvalidationBoard board;
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
  std::printf("objects %llu\n", static_cast<unsigned long long>(s.objects));
  std::printf("heap bytes/object (mallinfo2) %.1f\n",
              static_cast<double>(after - before) / static_cast<double>(s.objects));
  std::printf("estimated index bytes/object %.1f\n",
              static_cast<double>(s.index_bytes) / static_cast<double>(s.objects));
  return 0;
}

// What one cached object really takes in memory, so the store's byte budget bounds the
// process's memory and not only the bodies it holds.
#pragma once

#include <cstdint>

#include "cache/cached_object.h"

namespace edgefront::cache {

// Heap bytes an object costs beyond `counted_bytes` (what its filler counts: body size plus
// header bytes): the body blocks' allocation slack, the object's own structures and shared
// pointers' control blocks, its index entries and eviction bookkeeping, its stored strings,
// and the HTTP/1.1 head a first hit serializes and keeps.
uint64_t object_overhead_bytes(const CachedObject& object);

// The per-object structures, independent of the object's contents (for tests and docs).
uint64_t fixed_object_bytes();

}  // namespace edgefront::cache

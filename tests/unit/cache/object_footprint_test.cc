#include "cache/object_footprint.h"

#include <gtest/gtest.h>

namespace edgefront::cache {
namespace {

std::shared_ptr<CachedObject> object_with(std::shared_ptr<Fill> body, std::string path) {
  auto meta = std::make_shared<ObjectMeta>();
  meta->path = std::move(path);
  return std::make_shared<CachedObject>(meta, std::move(body), 0);
}

TEST(ObjectFootprint, CountsTheBodysAllocationBeyondItsBytes) {
  auto body = std::make_shared<Fill>(/*expected_length=*/3000);
  body->append(std::string(10, 'x'));  // the origin announced more than it sent
  body->complete();
  EXPECT_GE(body->allocated_bytes(), 3000u);
  auto obj = object_with(body, "/a");
  EXPECT_GE(object_overhead_bytes(*obj), fixed_object_bytes() + 2990);
}

TEST(ObjectFootprint, CountsStoredStringsOnTheHeap) {
  auto shortpath = object_with(std::make_shared<Fill>(), "/a");
  auto longpath = object_with(std::make_shared<Fill>(), "/" + std::string(500, 'p'));
  EXPECT_GE(object_overhead_bytes(*longpath), object_overhead_bytes(*shortpath) + 500);
}

TEST(ObjectFootprint, FixedPartCoversTheObjectsStructures) {
  EXPECT_GE(fixed_object_bytes(), sizeof(CachedObject) + sizeof(ObjectMeta) + sizeof(Fill));
}

}  // namespace
}  // namespace edgefront::cache

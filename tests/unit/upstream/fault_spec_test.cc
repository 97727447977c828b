#include "upstream/fault_spec.h"

#include <gtest/gtest.h>

namespace edgefront::upstream {
namespace {

TEST(FaultSpec, ParsesEachKind) {
  auto refuse = parse_fault_spec(R"({"origin":"primary","kind":"refuse"})");
  ASSERT_TRUE(refuse.ok()) << refuse.error().message;
  EXPECT_EQ(refuse->origin, "primary");
  EXPECT_EQ(refuse->kind, FaultKind::kRefuse);
  EXPECT_EQ(refuse->distribution, "");

  auto hole = parse_fault_spec(R"({"origin":"p","kind":"blackhole","distribution":"main"})");
  ASSERT_TRUE(hole.ok());
  EXPECT_EQ(hole->kind, FaultKind::kBlackhole);
  EXPECT_EQ(hole->distribution, "main");

  auto delay = parse_fault_spec(R"({"origin":"p","kind":"delay","delay_ms":250})");
  ASSERT_TRUE(delay.ok());
  EXPECT_EQ(delay->kind, FaultKind::kDelay);
  EXPECT_EQ(delay->delay_ms, 250u);

  auto status = parse_fault_spec(R"({"origin":"p","kind":"status","status":503})");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->status, 503);

  auto reset = parse_fault_spec(R"({"origin":"p","kind":"reset_mid_body","after_bytes":1000})");
  ASSERT_TRUE(reset.ok());
  EXPECT_EQ(reset->kind, FaultKind::kResetMidBody);
  EXPECT_EQ(reset->after_bytes, 1000u);

  auto reset_default = parse_fault_spec(R"({"origin":"p","kind":"reset_mid_body"})");
  ASSERT_TRUE(reset_default.ok());
  EXPECT_EQ(reset_default->after_bytes, 0u);
}

TEST(FaultSpec, RefusesMalformedInput) {
  const char* bad[] = {
      "",
      "not json",
      "[]",
      R"("refuse")",
      R"({"kind":"refuse"})",                                // no origin
      R"({"origin":"","kind":"refuse"})",                    // empty origin
      R"({"origin":7,"kind":"refuse"})",                     // origin not a string
      R"({"origin":"p"})",                                   // no kind
      R"({"origin":"p","kind":"explode"})",                  // unknown kind
      R"({"origin":"p","kind":"refuse","colour":"red"})",    // unknown field
      R"({"origin":"p","kind":"delay"})",                    // delay_ms missing
      R"({"origin":"p","kind":"delay","delay_ms":0})",       // out of range
      R"({"origin":"p","kind":"delay","delay_ms":-5})",      // negative
      R"({"origin":"p","kind":"delay","delay_ms":1.5})",     // not an integer
      R"({"origin":"p","kind":"delay","delay_ms":"100"})",   // a string
      R"({"origin":"p","kind":"delay","delay_ms":600001})",  // above the cap
      R"({"origin":"p","kind":"status"})",                   // status missing
      R"({"origin":"p","kind":"status","status":99})",       // not a final status
      R"({"origin":"p","kind":"status","status":600})",      // out of range
      R"({"origin":"p","kind":"refuse","status":503})",      // parameter of another kind
      R"({"origin":"p","kind":"status","status":503,"delay_ms":5})",
      R"({"origin":"p","kind":"reset_mid_body","after_bytes":-1})",
      R"({"origin":"p","kind":"refuse","distribution":1})",
      R"({"origin":"p","kind":"refuse"} trailing)",
  };
  for (const char* text : bad) {
    auto r = parse_fault_spec(text);
    EXPECT_FALSE(r.ok()) << text;
    if (!r.ok()) {
      EXPECT_EQ(r.error().kind, ErrorKind::kBadRequest);
      EXPECT_FALSE(r.error().message.empty());
    }
  }
}

TEST(FaultSpec, ErrorsNameTheField) {
  auto r = parse_fault_spec(R"({"origin":"p","kind":"status","status":700})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("status"), std::string::npos);
  auto u = parse_fault_spec(R"({"origin":"p","kind":"refuse","dealy_ms":5})");
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.error().message.find("dealy_ms"), std::string::npos);
}

TEST(FaultSpec, JsonRoundTrip) {
  FaultSpec spec;
  spec.origin = "pri\"mary";
  spec.kind = FaultKind::kStatus;
  spec.status = 429;
  std::string json = fault_spec_json(7, spec, 3);
  EXPECT_NE(json.find(R"("id":7)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("status":429)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("applied":3)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("distribution":null)"), std::string::npos) << json;
  EXPECT_EQ(json.find("delay_ms"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("origin":"pri\"mary")"), std::string::npos) << json;
}

}  // namespace
}  // namespace edgefront::upstream

#include "store/artifact_manifest.h"

#include <gtest/gtest.h>

namespace gauntlet::store {
namespace {

TEST(ArtifactManifestTest, RoundTripsAndRefusesEscapes) {
  const std::vector<ArtifactEntry> m = {
      {"dist/app", std::string(32, 'a'), 123, 0755},
      {"dist/readme.txt", std::string(32, 'b'), 0, 0644},
  };
  auto back = ManifestFromJson(ManifestToJson(m));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, m);
  EXPECT_TRUE(ManifestFromJson("[]")->empty());

  const std::string hash(32, 'c');
  for (const std::string& bad : {
           std::string("{}"),
           std::string("not json"),
           R"([{"path": "../x", "hash": ")" + hash + R"(", "size": 1, "mode": 420}])",
           R"([{"path": "/etc/passwd", "hash": ")" + hash + R"(", "size": 1, "mode": 420}])",
           std::string(R"([{"path": "a", "hash": "../../etc/passwd", "size": 1, "mode": 420}])"),
           std::string(R"([{"path": "a", "size": 1, "mode": 420}])"),
           R"([{"path": "a", "hash": ")" + hash + R"(", "size": -1, "mode": 420}])",
       }) {
    EXPECT_FALSE(ManifestFromJson(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace gauntlet::store

#include "deploy/web_metric.h"

#include <gtest/gtest.h>

#include "deploy/testing_http.h"

namespace gauntlet::deploy {
namespace {

using K = MetricSample::Kind;
using std::chrono::seconds;

TEST(DeployWebMetric, JsonPaths) {
  auto doc = nlohmann::json::parse(R"({"data":{"items":[{"rate":0.5},{"rate":"7"}]},"ok":true})");
  EXPECT_EQ(*FindJsonPath(doc, "data.items[0].rate"), 0.5);
  EXPECT_EQ(*FindJsonPath(doc, "data.items.1.rate"), "7");
  EXPECT_EQ(*FindJsonPath(doc, "$.ok"), true);
  EXPECT_EQ(*FindJsonPath(doc, "/data/items/0/rate"), 0.5);
  EXPECT_EQ(FindJsonPath(doc, "data.items[2].rate"), nullptr);
  EXPECT_EQ(FindJsonPath(doc, "data.missing"), nullptr);
  EXPECT_EQ(FindJsonPath(doc, "data.items.x"), nullptr);
  EXPECT_EQ(FindJsonPath(doc, "/data/items/9"), nullptr);
  EXPECT_EQ(FindJsonPath(doc, "/bad~escape"), nullptr);
}

TEST(DeployWebMetric, ReadsValuesOverHttp) {
  testing::CannedServer web;
  web.Set("/stats", 200, R"({"errors":{"ratio":0.002,"text":"0.5","state":"ok","none":null}})");
  web.Set("/broken", 500, "{}");
  web.Set("/html", 200, "<html>");
  auto q = [&](const std::string& path, const std::string& json_path) {
    return QueryWeb(web.url() + path, json_path, seconds(5));
  };
  MetricSample s = q("/stats", "errors.ratio");
  ASSERT_EQ(s.kind, K::kValue) << s.detail;
  EXPECT_EQ(s.result, 0.002);
  EXPECT_EQ(q("/stats", "errors.text").result, 0.5);  // numeric strings become numbers
  EXPECT_EQ(q("/stats", "errors.state").result, "ok");
  EXPECT_EQ(q("/stats", "errors.none").kind, K::kInconclusive);
  EXPECT_EQ(q("/stats", "errors.nope").kind, K::kError);
  EXPECT_EQ(q("/broken", "x").kind, K::kError);
  EXPECT_EQ(q("/html", "x").kind, K::kError);
}

}  // namespace
}  // namespace gauntlet::deploy

// Against a fake Prometheus (canned /api/v1/query answers): a real Prometheus cannot be
// made to return NaN, strings, errors or exact values on demand, and takes seconds to
// start and scrape. See docs/deploy.md.
#include "deploy/prometheus.h"

#include <gtest/gtest.h>

#include <cmath>

#include "deploy/testing_http.h"

namespace gauntlet::deploy {
namespace {

using K = MetricSample::Kind;
using std::chrono::seconds;

std::string Vector(const std::string& samples) {
  return R"({"status":"success","data":{"resultType":"vector","result":[)" + samples + "]}}";
}
std::string Series(const std::string& v) {
  return R"({"metric":{"job":"app"},"value":[1700000000.5,")" + v + R"("]})";
}

TEST(DeployPrometheus, ParsesResultShapes) {
  struct Row {
    std::string body;
    K kind;
    nlohmann::json result;
  } rows[] = {
      {Vector(Series("0.25")), K::kValue, 0.25},
      {Vector(Series("1") + "," + Series("2")), K::kValue, {1.0, 2.0}},
      {Vector(""), K::kInconclusive, nullptr},
      {Vector(Series("NaN")), K::kInconclusive, nullptr},
      {R"({"status":"success","data":{"resultType":"scalar","result":[1700000000,"3"]}})",
       K::kValue, 3.0},
      {R"({"status":"success","data":{"resultType":"scalar","result":[1700000000,"NaN"]}})",
       K::kInconclusive, nullptr},
      {R"({"status":"success","data":{"resultType":"string","result":[1700000000,"green"]}})",
       K::kValue, "green"},
      {R"({"status":"success","data":{"resultType":"string","result":[1700000000,"12.5"]}})",
       K::kValue, 12.5},
      {R"({"status":"success","data":{"resultType":"matrix","result":[]}})", K::kError, nullptr},
      {Vector(R"({"metric":{},"value":[1,"abc"]})"), K::kError, nullptr},
      {"not json", K::kError, nullptr},
  };
  for (const auto& r : rows) {
    MetricSample s = ParsePrometheusResponse(200, r.body);
    EXPECT_EQ(s.kind, r.kind) << r.body << " -> " << s.detail;
    if (r.kind == K::kValue) {
      EXPECT_EQ(s.result, r.result) << r.body;
    }
  }
  MetricSample inf = ParsePrometheusResponse(200, Vector(Series("+Inf")));
  EXPECT_EQ(inf.kind, K::kValue);
  EXPECT_TRUE(std::isinf(inf.result.get<double>()));
}

TEST(DeployPrometheus, QueriesOverHttp) {
  testing::CannedServer prom;
  prom.Set("/api/v1/query", 200, Vector(Series("0.995")));
  const std::string q = "sum(rate(http_requests_total{code!~\"5..\"}[1m])) / sum(rate(x[1m]))";
  MetricSample s = QueryPrometheus(prom.url() + "/", q, seconds(5));
  ASSERT_EQ(s.kind, K::kValue) << s.detail;
  EXPECT_EQ(s.result, 0.995);
  EXPECT_EQ(prom.last_query(), q);  // sent URL-encoded, received intact

  prom.Set("/api/v1/query", 400,
           R"({"status":"error","errorType":"bad_data","error":"parse error at char 5"})");
  s = QueryPrometheus(prom.url(), "sum(", seconds(5));
  EXPECT_EQ(s.kind, K::kError);
  EXPECT_NE(s.detail.find("bad_data: parse error at char 5"), std::string::npos) << s.detail;

  prom.Set("/api/v1/query", 503, "overloaded");
  EXPECT_EQ(QueryPrometheus(prom.url(), "up", seconds(5)).kind, K::kError);
}

TEST(DeployPrometheus, UnreachableIsAProviderError) {
  std::string url;
  {
    testing::CannedServer gone;
    url = gone.url();
  }
  MetricSample s = QueryPrometheus(url, "up", seconds(2));
  EXPECT_EQ(s.kind, K::kError);
  EXPECT_NE(s.detail.find("prometheus: GET"), std::string::npos) << s.detail;
}

}  // namespace
}  // namespace gauntlet::deploy

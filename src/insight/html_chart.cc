#include "insight/html_chart.h"

#include <fmt/core.h>

#include <algorithm>
#include <ctime>

#include "core/duration.h"

namespace gauntlet::insight {
namespace {

constexpr int kChartWidth = 720;
constexpr int kLabelWidth = 200;

const char* ColourOf(const std::string& series) {
  if (series == "p95") return "#f0a04b";
  return "#4b7bec";
}

double MaxOf(const std::vector<ChartBar>& bars) {
  double m = 0;
  for (const ChartBar& b : bars) m = std::max(m, b.value);
  return m > 0 ? m : 1;
}

std::string Svg(int width, int height, const std::string& body) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "font-size=\"12\">{}</svg>\n",
      width, height, width, height, body);
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string DayLabel(int64_t unix_ms) {
  time_t t = static_cast<time_t>(unix_ms / 1000);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[16];
  strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
  return buf;
}

std::string BarChart(const std::vector<ChartBar>& bars) {
  if (bars.empty()) return "";
  const double max = MaxOf(bars);
  const int row = 16, span = kChartWidth - kLabelWidth - 80;
  std::string body;
  for (size_t i = 0; i < bars.size(); ++i) {
    const ChartBar& b = bars[i];
    int y = static_cast<int>(i) * row;
    int w = std::max(1, static_cast<int>(span * b.value / max));
    if (!b.label.empty()) {
      body += fmt::format("<text x=\"0\" y=\"{}\">{}</text>", y + 12, HtmlEscape(b.label));
    }
    body += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>",
                        kLabelWidth, y + 2, w, row - 4, ColourOf(b.series));
    body += fmt::format("<text x=\"{}\" y=\"{}\">{} {}</text>", kLabelWidth + w + 4, y + 12,
                        HtmlEscape(b.series), HumanDuration(static_cast<int64_t>(b.value)));
  }
  return Svg(kChartWidth, static_cast<int>(bars.size()) * row, body);
}

std::string PathChart(const std::vector<ChartBar>& bars) {
  if (bars.empty()) return "";
  double total = 0;
  for (const ChartBar& b : bars) total += b.value;
  if (total <= 0) total = 1;
  static const char* kPalette[] = {"#4b7bec", "#20bf6b", "#f7b731", "#eb3b5a", "#8854d0"};
  std::string body;
  double x = 0;
  for (size_t i = 0; i < bars.size(); ++i) {
    double w = kChartWidth * bars[i].value / total;
    body += fmt::format(
        "<rect x=\"{:.1f}\" y=\"0\" width=\"{:.1f}\" height=\"24\" fill=\"{}\"><title>{} {}</title>"
        "</rect>",
        x, std::max(w, 1.0), kPalette[i % 5], HtmlEscape(bars[i].label),
        HumanDuration(static_cast<int64_t>(bars[i].value)));
    if (w > 60) {
      body +=
          fmt::format("<text x=\"{:.1f}\" y=\"40\">{}</text>", x + 2, HtmlEscape(bars[i].label));
    }
    x += w;
  }
  return Svg(kChartWidth, 46, body);
}

std::string ColumnChart(const std::vector<ChartBar>& bars) {
  if (bars.empty()) return "";
  const double max = MaxOf(bars);
  const int height = 120,
            col = std::max(4, std::min(40, kChartWidth / static_cast<int>(bars.size())));
  std::string body;
  for (size_t i = 0; i < bars.size(); ++i) {
    int h = std::max(1, static_cast<int>(height * bars[i].value / max));
    body += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#4b7bec\"><title>{} {}</title>"
        "</rect>",
        static_cast<int>(i) * col, height - h, col - 2, h, HtmlEscape(bars[i].label),
        HumanDuration(static_cast<int64_t>(bars[i].value)));
  }
  body +=
      fmt::format("<text x=\"0\" y=\"{}\">{}</text>", height + 14, HtmlEscape(bars.front().label));
  body +=
      fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                  static_cast<int>(bars.size()) * col, height + 14, HtmlEscape(bars.back().label));
  return Svg(std::max(kChartWidth, static_cast<int>(bars.size()) * col), height + 20, body);
}

}  // namespace gauntlet::insight

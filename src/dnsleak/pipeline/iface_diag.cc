#include "dnsleak/pipeline/iface_diag.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "capture/interface_probe.h"
#include "dnsleak/pipeline/watch_session.h"
#include "platform/platform.h"
#include "platform/route_class.h"
#include "util/escape.h"

namespace wtfn::dnsleak {
namespace {

struct Row {
    capture::CaptureDevice device;
    capture::ProbeResult probe;
    std::string route_class; // "-" for devices that are not network interfaces
    std::string reason;
};

std::string joined(const std::vector<std::string>& v)
{
    std::string s;
    for (const auto& x : v) {
        s += (s.empty() ? "" : ",") + x;
    }
    return s.empty() ? "-" : s;
}

std::string state(const capture::CaptureDevice& d)
{
    std::string s = d.up ? "up" : "down";
    if (d.running) {
        s += ",running";
    }
    if (d.loopback) {
        s += ",loopback";
    }
    if (d.wireless) {
        s += ",wireless";
    }
    return s;
}

} // namespace

int run_iface_diag(const IfaceDiagOptions& opt)
{
    std::vector<capture::CaptureDevice> devices;
    std::string error;
    if (!capture::list_capture_devices(devices, error)) {
        fmt::print(stderr, "wtfn: error: {}\n", error);
        return EXIT_FAILED;
    }
    platform::NetworkSnapshot net;
    std::string net_error;
    auto platform = platform::open_network_platform(net_error);
    const bool have_net = platform && platform->snapshot(net, net_error);

    std::vector<Row> rows;
    int openable = 0;
    std::string first_error;
    for (const auto& d : devices) {
        Row r;
        r.device = d;
        r.probe = capture::probe_capture_device(d.name, opt.timeout_ms);
        r.route_class = "-";
        if (const platform::Interface* i = have_net ? net.find(d.name) : nullptr) {
            const auto decision = platform::classify_interface(*i, {});
            r.route_class = to_string(decision.route_class);
            r.reason = decision.reason;
        } else if (d.name == "any") {
            r.reason = "all interfaces: what watch captures on by default";
        }
        openable += r.probe.can_open ? 1 : 0;
        if (!r.probe.can_open && first_error.empty()) {
            first_error = r.probe.error;
        }
        rows.push_back(std::move(r));
    }

    if (opt.json) {
        nlohmann::ordered_json a = nlohmann::ordered_json::array();
        for (const auto& r : rows) {
            a.push_back({{"name", r.device.name},
                         {"description", r.device.description},
                         {"up", r.device.up},
                         {"running", r.device.running},
                         {"loopback", r.device.loopback},
                         {"wireless", r.device.wireless},
                         {"addresses", r.device.addresses},
                         {"can_open", r.probe.can_open},
                         {"timed_out", r.probe.timed_out},
                         {"error",
                          r.probe.can_open ? nlohmann::ordered_json(nullptr)
                                           : nlohmann::ordered_json(r.probe.error)},
                         {"link_types", r.probe.link_types},
                         {"open_ms", r.probe.elapsed_ms},
                         {"route_class",
                          r.route_class == "-" ? nlohmann::ordered_json(nullptr)
                                               : nlohmann::ordered_json(r.route_class)},
                         {"route_class_reason", r.reason}});
        }
        nlohmann::ordered_json doc = {{"kind", "wtfn.iface_diag"},
                                      {"schema_version", 1},
                                      {"timeout_ms", opt.timeout_ms},
                                      {"devices", a}};
        fmt::print("{}\n",
                   doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    } else {
        std::size_t w = 9;
        for (const auto& r : rows) {
            w = std::max(w, util::escaped_text(r.device.name).size());
        }
        std::string out = fmt::format("{:<{}} {:<24} {:<5} {:>5}  {:<9} {}\n",
                                      "INTERFACE",
                                      w,
                                      "STATE",
                                      "OPENS",
                                      "MS",
                                      "CLASS",
                                      "LINK TYPES / WHY");
        for (const auto& r : rows) {
            fmt::format_to(std::back_inserter(out),
                           "{:<{}} {:<24} {:<5} {:>5}  {:<9} {}\n",
                           util::escaped_text(r.device.name),
                           w,
                           state(r.device),
                           r.probe.can_open ? "yes" : (r.probe.timed_out ? "HUNG" : "no"),
                           r.probe.elapsed_ms,
                           r.route_class,
                           r.probe.can_open ? joined(r.probe.link_types)
                                            : util::escaped_text(r.probe.error));
        }
        fmt::format_to(std::back_inserter(out),
                       "\n{} of {} devices can be opened (each tried for at most {} ms).\n",
                       openable,
                       rows.size(),
                       opt.timeout_ms);
        if (!have_net) {
            fmt::format_to(std::back_inserter(out), "Route classes unknown: {}\n", net_error);
        }
        std::fwrite(out.data(), 1, out.size(), stdout);
    }
    std::fflush(stdout);
    if (openable == 0) {
        fmt::print(stderr,
                   "wtfn: error: no capture device can be opened{}\n",
                   first_error.empty() ? std::string() : "; first error: " + first_error);
        return EXIT_FAILED;
    }
    return EXIT_CLEAN;
}

} // namespace wtfn::dnsleak

#include "dnsleak/attrib/attribution_stage.h"

#include <thread>

namespace wtfn::dnsleak {

bool needs_owner(const ClassifiedEvent& e)
{
    // On loopback the capture may see only the receiving copy (Linux 6.x on "any"), but
    // its sender is a local socket all the same.
    if (e.direction == net::Direction::inbound && e.route_class != platform::RouteClass::loopback) {
        return false;
    }
    switch (e.transport) {
        case Transport::udp53:
        case Transport::tcp53:
            return e.dns != nullptr && !e.dns->is_response();
        case Transport::dot:
        case Transport::doq:
            return true;
        case Transport::https_tcp:
        case Transport::https_quic:
            // Web traffic until the DoH stage says otherwise: not written as events, so
            // not worth a lookup (and `report` could not count it back).
            return false;
        default:
            return false; // mDNS, LLMNR: link-local chatter, not judged
    }
}

AttributionStage::AttributionStage(platform::FlowOwnerProvider& provider,
                                   Deliver deliver,
                                   AttributionLimits limits)
    : provider_(provider),
      deliver_(std::move(deliver)),
      limits_(limits),
      slots_(std::max<std::size_t>(limits.max_pending, 1))
{}

void AttributionStage::submit(ClassifiedEvent& e, util::Bytes wire)
{
    const bool wants = needs_owner(e);
    if (!wants && count_ == 0) {
        deliver_(e); // nothing ahead of it to keep order with
        return;
    }
    if (count_ == slots_.size()) {
        ++counts_.overflowed;
        release_head();
    }
    Held& h = slot(count_);
    const std::uint64_t token = head_token_ + count_;
    ++count_;
    h.event = e;
    h.interface.assign(e.interface);
    h.has_dns = e.dns != nullptr;
    h.wire.assign(wire.begin(), wire.end());
    h.wants_owner = wants;
    h.answered = false;
    h.token = token;
    h.deadline = std::chrono::steady_clock::now() + limits_.max_wait;
    h.owner = platform::FlowOwner{};
    if (wants) {
        provider_.request({e.proto, e.src, e.dst, e.src_port, e.dst_port}, e.ts_ns, token);
    }
}

void AttributionStage::tick()
{
    provider_.collect(answers_);
    for (auto& a : answers_) {
        const std::uint64_t index = a.token - head_token_;
        if (a.token >= head_token_ && index < count_) {
            Held& h = slot(index);
            h.owner = std::move(a.owner);
            h.answered = true;
        }
    }
    answers_.clear();
    const auto now = std::chrono::steady_clock::now();
    while (count_ > 0) {
        const Held& h = slot(0);
        if (h.wants_owner && !h.answered && now < h.deadline) {
            break;
        }
        release_head();
    }
}

void AttributionStage::finish(std::chrono::milliseconds grace)
{
    const auto until = std::chrono::steady_clock::now() + grace;
    for (;;) {
        tick();
        if (count_ == 0 || provider_.outstanding() == 0 ||
            std::chrono::steady_clock::now() >= until) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    provider_.collect(answers_); // the last answers, then everything goes
    tick();
    while (count_ > 0) {
        release_head();
    }
}

void AttributionStage::release_head()
{
    Held& h = slot(0);
    ClassifiedEvent& e = h.event;
    e.interface = h.interface;
    e.dns = nullptr;
    if (h.has_dns) {
        // The same bytes, the same parser: the same message the pipeline parsed.
        proto::parse_dns_message({h.wire.data(), h.wire.size()}, message_, names_);
        e.dns = &message_;
    }
    e.owner = nullptr;
    e.process = nullptr;
    if (h.wants_owner) {
        if (!h.answered) {
            ++counts_.timed_out;
            h.owner = platform::FlowOwner{};
            h.owner.source = provider_.method() == "ebpf" ? platform::OwnerSource::ebpf
                                                          : platform::OwnerSource::sock_diag;
            h.owner.reason = "the owner was not found in time (attribution is behind)";
        }
        attach_owner(e, h.owner);
    }
    deliver_(e);
    head_ = (head_ + 1) % slots_.size();
    --count_;
    ++head_token_;
}

void AttributionStage::attach_owner(ClassifiedEvent& e, platform::FlowOwner& owner)
{
    ++counts_.by_confidence[static_cast<std::size_t>(owner.confidence)];
    if (owner.kind == platform::OwnerKind::kernel) {
        ++counts_.kernel_owned;
    } else if (owner.kind == platform::OwnerKind::forwarded) {
        ++counts_.forwarded;
    }
    e.owner = &owner;
    if (owner.kind != platform::OwnerKind::process) {
        return;
    }
    facts_.name = owner.process.name;
    facts_.exe = owner.process.exe;
    e.process = &facts_;
    if (e.dns == nullptr || !e.dns->has_question) {
        return;
    }
    const std::string_view qname = e.dns->qname.view();
    if (e.dst.is_loopback()) {
        stubs_.remember(e.ts_ns, qname, e.dns->qtype, owner.process.pid, owner.process.name);
    } else if (is_stub_process(owner.process.name) && stubs_.find(e.ts_ns,
                                                                  qname,
                                                                  e.dns->qtype,
                                                                  owner.process.pid,
                                                                  owner.on_behalf_pid,
                                                                  owner.on_behalf_name)) {
        ++counts_.via_stub;
    }
}

} // namespace wtfn::dnsleak

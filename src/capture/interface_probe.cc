#include "capture/interface_probe.h"

#include <chrono>
#include <csignal>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture/live_capture.h"

namespace wtfn::capture {
namespace {

std::string address_text(const sockaddr* sa)
{
    char buf[INET6_ADDRSTRLEN] = {};
    if (sa == nullptr) {
        return {};
    }
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
    } else if (sa->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
    }
    return buf;
}

// Runs in the child: open, list link types, report one line on `fd`.
[[noreturn]] void probe_child(const std::string& name, int fd)
{
    std::string line;
    std::string error;
    LiveOptions small;
    small.snaplen = 256;
    small.buffer_bytes = 1024 * 1024;
    pcap_t* h = LiveCapture::activate_device(name, small, name, error);
    if (h == nullptr) {
        line = "E" + error;
    } else {
        line = "O";
        int* dlts = nullptr;
        const int n = pcap_list_datalinks(h, &dlts);
        for (int i = 0; i < n; ++i) {
            const char* dlt = pcap_datalink_val_to_name(dlts[i]);
            if (i != 0) {
                line += ',';
            }
            line += dlt != nullptr ? dlt : "?";
        }
        if (dlts != nullptr) {
            pcap_free_datalinks(dlts);
        }
        pcap_close(h);
    }
    const char* p = line.data();
    std::size_t left = line.size();
    while (left > 0) {
        const ssize_t w = write(fd, p, left);
        if (w <= 0) {
            break;
        }
        p += w;
        left -= static_cast<std::size_t>(w);
    }
    _exit(0);
}

} // namespace

bool list_capture_devices(std::vector<CaptureDevice>& out, std::string& error)
{
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_if_t* all = nullptr;
    if (pcap_findalldevs(&all, errbuf) != 0) {
        error = std::string("cannot list capture devices: ") + errbuf;
        return false;
    }
    for (pcap_if_t* d = all; d != nullptr; d = d->next) {
        CaptureDevice c;
        c.name = d->name;
        c.description = d->description != nullptr ? d->description : "";
        c.up = (d->flags & PCAP_IF_UP) != 0;
        c.running = (d->flags & PCAP_IF_RUNNING) != 0;
        c.loopback = (d->flags & PCAP_IF_LOOPBACK) != 0;
        c.wireless = (d->flags & PCAP_IF_WIRELESS) != 0;
        for (pcap_addr_t* a = d->addresses; a != nullptr; a = a->next) {
            std::string t = address_text(a->addr);
            if (!t.empty()) {
                c.addresses.push_back(std::move(t));
            }
        }
        out.push_back(std::move(c));
    }
    pcap_freealldevs(all);
    return true;
}

ProbeResult probe_capture_device(const std::string& name, int timeout_ms)
{
    ProbeResult r;
    const auto start = std::chrono::steady_clock::now();
    const auto elapsed = [&] {
        return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - start)
                                    .count());
    };
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        r.error = std::string("cannot probe '") + name + "': " + std::strerror(errno);
        return r;
    }
    const pid_t pid = fork();
    if (pid < 0) {
        r.error = std::string("cannot probe '") + name + "': " + std::strerror(errno);
        close(fds[0]);
        close(fds[1]);
        return r;
    }
    if (pid == 0) {
        close(fds[0]);
        probe_child(name, fds[1]);
    }
    close(fds[1]);
    std::string reply;
    char buf[512];
    for (;;) {
        const int left = timeout_ms - elapsed();
        if (left <= 0) {
            r.timed_out = true;
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        const int rc = poll(&p, 1, left);
        if (rc < 0 && errno == EINTR) {
            continue;
        }
        if (rc <= 0) {
            r.timed_out = rc == 0;
            break;
        }
        const ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0) {
            break; // the child wrote its line and exited
        }
        if (reply.size() < 64 * 1024) {
            reply.append(buf, static_cast<std::size_t>(n));
        }
    }
    close(fds[0]);
    if (r.timed_out) {
        kill(pid, SIGKILL);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    r.elapsed_ms = elapsed();
    if (r.timed_out) {
        r.error = "opening '" + name + "' did not finish within " + std::to_string(timeout_ms) +
                  " ms (the device or its driver is not answering); capture on another "
                  "interface with --iface, or on all with the default 'any'";
        return r;
    }
    if (reply.empty()) {
        r.error = "probing '" + name + "' failed: the probe process ended without an answer";
        return r;
    }
    if (reply[0] == 'E') {
        r.error = reply.substr(1);
        return r;
    }
    r.can_open = true;
    std::size_t pos = 1;
    while (pos < reply.size()) {
        const std::size_t comma = reply.find(',', pos);
        const std::size_t end = comma == std::string::npos ? reply.size() : comma;
        r.link_types.push_back(reply.substr(pos, end - pos));
        pos = end + 1;
    }
    return r;
}

} // namespace wtfn::capture

#include "dnsleak/report/event_stream.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dnsleak/report/event_json.h"
#include "dnsleak/report/report_json.h"
#include "util/escape.h"

namespace wtfn::dnsleak {

void EventStreamWriter::begin(const ReportMeta& meta)
{
    line_ = "{\"record\":\"start\",";
    append_report_head(line_, meta);
    line_ += "}\n";
    out_.write(line_);
}

void EventStreamWriter::on_event(const ClassifiedEvent& e)
{
    if (!is_dns_like(e.transport)) {
        return;
    }
    event_.clear();
    append_event_json(event_, e, format_);
    line_ = "{\"record\":\"event\",";
    line_.append(event_, 1); // the event's members, after its opening brace
    line_.push_back('\n');
    out_.write(line_);
}

bool EventStreamWriter::finish(const ReportMeta& meta, const Summary& s, const CaptureCounters& c)
{
    line_ = "{\"record\":\"end\",";
    append_report_tail(line_, meta, s, c);
    line_ += "}\n";
    // The tail holds newlines between its parts for the pretty report; a stream line must not.
    for (char& ch : line_) {
        if (ch == '\n') {
            ch = ' ';
        }
    }
    line_.back() = '\n';
    return out_.write(line_);
}

int open_event_stream_file(const std::string& path, std::string& error)
{
    const std::string shown = util::escaped_text(path);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) {
        if (::fchmod(fd, 0600) != 0) { // the umask may have taken bits; never chmod by path
            error = shown + ": cannot set mode 0600: " + std::strerror(errno);
            ::close(fd);
            return -1;
        }
        return fd;
    }
    if (errno != EEXIST) {
        error = shown + ": cannot create the event stream: " + std::strerror(errno) +
                "; check the directory exists and is writable";
        return -1;
    }
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        error = shown + ": cannot open the event stream: " +
                (errno == ELOOP ? std::string("it is a symlink; give the real path")
                                : std::string(std::strerror(errno)));
        return -1;
    }

    struct stat st {};

    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        error = shown + ": not a regular file; give a file path, or '-' for stdout";
        ::close(fd);
        return -1;
    }
    // O_NONBLOCK only kept a FIFO from blocking the open; a regular file ignores it.
    ::fcntl(fd, F_SETFL, O_WRONLY | O_APPEND);
    return fd;
}

} // namespace wtfn::dnsleak

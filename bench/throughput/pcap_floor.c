/* pcap_floor: the throughput floor for reading a capture file with libpcap.
 *
 *   pcap_floor FILE      prints the number of packets in FILE
 *
 * It does nothing with the packets, so no tool that reads the same file through libpcap can
 * be faster: wtfn's goal is a fraction of this rate, measured on the same file and machine,
 * which cancels out the disk, the page cache and the CPU.
 *
 * The FILE is opened by us and given a 256 KiB stdio buffer before libpcap sees it: with
 * glibc's default 4 KiB buffer the floor would measure read() system calls instead of the
 * library, and a tool with a larger buffer would appear faster than the floor. */

/* pcap.h uses the BSD types u_char and u_int, which strict C11 (-std=c11) hides. */
#define _DEFAULT_SOURCE

#include <stdio.h>
#include <stdlib.h>

#include <pcap/pcap.h>

static char stdio_buffer[256 * 1024];

int main(int argc, char** argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pcap_floor FILE\n");
        return 2;
    }
    FILE* f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    if (setvbuf(f, stdio_buffer, _IOFBF, sizeof stdio_buffer) != 0) {
        fprintf(stderr, "pcap_floor: setvbuf failed\n");
        fclose(f);
        return 1;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_fopen_offline(f, err); /* owns f on success only */
    if (p == NULL) {
        fprintf(stderr, "pcap_floor: %s: %s\n", argv[1], err);
        fclose(f);
        return 1;
    }
    struct pcap_pkthdr* hdr;
    const u_char* data;
    unsigned long long packets = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
        ++packets;
    }
    if (rc == PCAP_ERROR) {
        /* A damaged file must not pass for a short one: the count would be wrong. */
        fprintf(
            stderr, "pcap_floor: %s: %s after %llu packets\n", argv[1], pcap_geterr(p), packets);
        pcap_close(p);
        return 1;
    }
    pcap_close(p);
    printf("%llu\n", packets);
    return 0;
}

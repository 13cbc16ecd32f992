/* The kernel's floor of the cold-start benchmark: a static C program that
 * connects to AWS_LAMBDA_RUNTIME_API, sends GET /next and waits. No
 * language runtime starts; what it takes is exec and the socket. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
	const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
	if (!api) return 2;
	char host[64];
	const char *colon = strrchr(api, ':');
	if (!colon || colon - api >= (long)sizeof host) return 2;
	memcpy(host, api, colon - api);
	host[colon - api] = 0;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(atoi(colon + 1))};
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) return 2;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) return 1;
	static const char req[] = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: runtime\r\n\r\n";
	if (write(fd, req, sizeof req - 1) < 0) return 1;
	char buf[4096];
	read(fd, buf, sizeof buf); /* held open by the benchmark: the idle runtime */
	return 0;
}

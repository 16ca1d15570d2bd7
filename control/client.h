/* The command-line side of the control protocol. */
#ifndef CLIENT_H
#define CLIENT_H

#include <jansson.h>

#include "imsg.h"
#include "sysg.h"

#define CTL_TIMEOUT_MS	5000

struct ctl_conn {
	struct imsgbuf	 ib;
	int		 fd;
};

struct ctl_result {
	json_t		*doc;		/* the reply document, or NULL */
	int		 code;		/* exit code from the daemon */
	char		 text[1024];
};

/* 0 connected (hello done), 1 no daemon, -1 error (message in err). */
int	ctl_connect(const char *statedir, struct ctl_conn *, char *err,
	    size_t errlen);
/* Send one request; 0 with res filled, -1 error (message in err). */
int	ctl_call(struct ctl_conn *, json_t *req, struct ctl_result *,
	    void (*on_event)(const char *), char *err, size_t errlen);
void	ctl_close(struct ctl_conn *);
void	ctl_result_free(struct ctl_result *);

#endif

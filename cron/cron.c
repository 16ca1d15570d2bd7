/*
 * The cron role: schedules, overlap rules and run history.  It computes
 * fire times and asks the supervisor to run jobs; it executes nothing.
 */

#include <stdlib.h>
#include <string.h>

#include "confjson.h"
#include "log.h"
#include "proc.h"

static void
cron_parent_msg(struct imsg *im)
{
	switch (im->hdr.type) {
	case IMSG_CONF_BEGIN:
	case IMSG_CONF_UNIT:
	case IMSG_CONF_END:
	case IMSG_DIRFD:
		break;
	default:
		fatalx("unexpected message %u from parent", im->hdr.type);
	}
}

static void
cron_peer_msg(enum sysg_proc from, struct imsg *im)
{
	if (from != PROC_SUPERVISOR)
		fatalx("message from unexpected peer");
	switch (im->hdr.type) {
	case IMSG_CRON_STARTED:
	case IMSG_CRON_DONE:
		break;
	default:
		fatalx("unexpected message %u from supervisor",
		    im->hdr.type);
	}
}

static void
cron_setup_done(void)
{
	proc_sandbox();
	proc_ready();
}

static const struct role_ops cron_ops = {
	.parent_msg = cron_parent_msg,
	.peer_msg = cron_peer_msg,
	.setup_done = cron_setup_done,
};

void
cron_main(void)
{
	proc_role_main(PROC_CRON, &cron_ops);
}

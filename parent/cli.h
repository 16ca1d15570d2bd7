/* The sysg command line. */
#ifndef CLI_H
#define CLI_H

int	cli_main(int argc, char **argv);

#endif

# sysg: build, test, install.  See README.md.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man

CC	?= cc
PKGS	 = libevent yaml-0.1 libcap libbsd-overlay libseccomp jansson
ROOMS	 = common parent spawner supervisor cron control

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN	 = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes
CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 $(WARN) -D_GNU_SOURCE $(addprefix -I,$(ROOMS)) \
	   $(PKG_CFLAGS)
HARDEN	 = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
ASAN	 = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
# The daemon's libraries are linked in statically (their .a files come
# with the -dev packages): five processes share one text instead of each
# paying for eight shared objects' relocated pages, and start faster.
STATIC_LIBS = -levent_core -lyaml -ljansson -lseccomp -lcap -lbsd -lmd
LDLIBS	 = -Wl,-Bstatic $(STATIC_LIBS) -Wl,-Bdynamic -lm

SRCS	:= $(filter-out parent/main.c,$(wildcard $(addsuffix /*.c,$(ROOMS))))
HDRS	:= $(wildcard $(addsuffix /*.h,$(ROOMS)))
TESTS	:= $(patsubst regress/unit/%.c,%,$(wildcard regress/unit/test_*.c))

# Two build trees: build/ (the shipped flags) and build-asan/.
B	 = build
BA	 = build-asan

OBJS	 = $(SRCS:%.c=$(B)/%.o)
AOBJS	 = $(SRCS:%.c=$(BA)/%.o)

.PHONY: all deps run check check-unit check-asan test install clean bench

all: sysg

deps:
	@sh scripts/deps.sh

sysg: $(B)/sysg
	cp $(B)/sysg sysg.tmp && mv -f sysg.tmp sysg

$(B)/sysg: $(B)/libsysg.a $(B)/parent/main.o
	$(CC) $(CFLAGS) $(HARDEN) -pie -Wl,-z,relro,-z,now -o $@ \
	    $(B)/parent/main.o $(B)/libsysg.a $(LDLIBS)

$(B)/libsysg.a: $(OBJS)
	rm -f $@
	ar rcs $@ $(OBJS)

$(B)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(HARDEN) -c -o $@ $<

$(B)/regress/unit/%: regress/unit/%.c $(B)/libsysg.a regress/unit/unit.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iregress/unit -o $@ $< $(B)/libsysg.a $(LDLIBS) \
	    $(CMOCKA_LIBS)

$(BA)/sysg: $(BA)/libsysg.a $(BA)/parent/main.o
	$(CC) $(CFLAGS) $(ASAN) -o $@ $(BA)/parent/main.o $(BA)/libsysg.a \
	    $(LDLIBS)

$(BA)/libsysg.a: $(AOBJS)
	rm -f $@
	ar rcs $@ $(AOBJS)

$(BA)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN) -c -o $@ $<

$(BA)/regress/unit/%: regress/unit/%.c $(BA)/libsysg.a regress/unit/unit.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN) -Iregress/unit -o $@ $< $(BA)/libsysg.a \
	    $(LDLIBS) $(CMOCKA_LIBS)

unit: $(TESTS:%=$(B)/regress/unit/%)
unit-asan: $(TESTS:%=$(BA)/regress/unit/%)

# make check: install missing packages, build, run every test, then the
# same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
check: deps
	$(MAKE) sysg unit
	$(MAKE) $(BA)/sysg unit-asan
	sh regress/run.sh $(CURDIR)/$(B) $(CURDIR)/$(BA)

check-asan: deps
	$(MAKE) $(BA)/sysg unit-asan
	sh regress/run.sh - $(CURDIR)/$(BA)

test: sysg unit
	sh regress/run.sh $(CURDIR)/$(B) -

run: deps
	$(MAKE) sysg
	./sysg start -c examples/hello.yaml

bench: deps
	$(MAKE) sysg
	sh bench/run.sh

install: sysg
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8
	install -m 0755 sysg $(DESTDIR)$(BINDIR)/sysg
	install -m 0644 man/sysg.8 $(DESTDIR)$(MANDIR)/man8/sysg.8
	install -m 0644 man/sysg.yaml.5 $(DESTDIR)$(MANDIR)/man5/sysg.yaml.5

clean:
	rm -rf $(B) $(BA) sysg

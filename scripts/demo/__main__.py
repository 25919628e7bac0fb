"""Run a kata's demo in real wall time, with your implementation or the reference.

    python -m scripts demo 1                  # your code in katas/
    python -m scripts demo 1 --impl reference # the reference solution
    python -m scripts demo all --impl reference

HTTP demos talk to a local server on 127.0.0.1 that the demo starts and stops. A Ctrl-C
stops the demo with one line and the exit status 130 (the watchdog's `stop_now`).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable

from scripts.demo import shows
from scripts.learner import Parser, chosen_kata, existing_folder, interruptible, positive
from scripts.project import KATAS, ROOT, kata_module, kata_names
from specs import course, timeline
from specs.implementation import ImplementationError, is_learner_file, load, select_root
from specs.watchdog import Hung, Watchdog

LIMIT_S = 30.0  # the longest demo takes about 6 s with the reference
BEAT_S = 0.05


async def limited(demo: Awaitable[None], limit: float, beat: Callable[[], None],
                  tasks: timeline.TaskRecorder | None = None) -> None:
    """Await `demo` for at most `limit` seconds, telling the watchdog the loop is alive;
    `tasks` records each task the demo creates."""
    loop = asyncio.get_running_loop()
    if tasks is not None:
        tasks.install(loop)

    def heartbeat() -> None:
        beat()
        loop.call_later(BEAT_S, heartbeat)

    heartbeat()
    async with asyncio.timeout(limit):
        await demo


def run(kata: str, limit: float = LIMIT_S) -> int:
    """Run one kata's demo; a friendly word instead of a traceback for unfinished, stuck or
    frozen code. The demo ends within `limit` seconds (a frozen loop within a second)."""
    number = course.kata(kata).number
    print(f"=== demo {number}: {kata} ===", flush=True)
    dog = Watchdog(is_learner_file=is_learner_file, busy_limit_s=None)
    tasks = timeline.TaskRecorder()
    dog.start()
    try:
        module = load(kata, kata_module(kata))
        with dog.phase(f"demo {number}", "demo"):
            demo = getattr(shows, course.kata(kata).demo)
            asyncio.run(limited(demo(module), limit, dog.beat, tasks))
    except TimeoutError:
        print(f"\nThe demo did not finish in {limit:g} s: your code is stuck (a deadlock, a wait "
              f"that never ends, a loop that never stops). `{course.tox(f'kata{number}')}` "
              "names the cause.")
        return 2
    except Hung as hung:
        print(f"\nThe demo was stopped: {hung}")
        return 2
    except KeyboardInterrupt as error:  # raised by the code itself: a Ctrl-C ends the process
        print(f"\nThe demo was stopped: your code raised {error!r}, which ends a whole program.")
        return 2
    except NotImplementedError as error:
        print(f"\nNot yet: your {kata} still raises NotImplementedError ({error}).\n"
              f"Make some behaviours pass with `{course.tox(f'kata{number}')}`, or watch "
              "the reference: "
              f"`{course.tox('demo', number, '--impl reference')}`.")
        return 2
    except ImplementationError as error:
        print(f"\nCannot run the demo: {error}")
        return 2
    finally:
        dog.stop()
    if tasks.timeline.spans:
        print("\nThe tasks your code ran, on the real clock:")
        print(timeline.render(tasks.timeline, plain=not timeline.can_draw(sys.stdout.encoding)))
    print(flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = Parser(description=__doc__.splitlines()[0])
    parser.add_argument("kata", nargs="?", help="the kata's number, or all (default: the kata "
                        "you are on)")
    parser.add_argument("--impl", type=existing_folder, default=KATAS,
                        help="the tree to run: katas (yours) or reference")
    parser.add_argument("--limit", type=positive, default=LIMIT_S, metavar="SECONDS",
                        help=f"stop a demo that runs longer (default {LIMIT_S:g} s)")
    options = parser.parse_args(argv)
    root = select_root(options.impl, base=ROOT)
    katas = kata_names() if options.kata == "all" else [chosen_kata(options.kata, root)]
    codes = [run(kata, options.limit) for kata in katas]
    return max(codes)


if __name__ == "__main__":
    sys.exit(interruptible(main))

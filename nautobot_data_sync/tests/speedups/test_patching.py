"""replaced(): an attribute changed for a block and put back; a function replaced in the replacing thread only."""

import threading
import types

from django.test import SimpleTestCase

from nautobot_data_sync.speedups.patching import original, replaced


def greet():
    return "original"


class Greeter:
    def greet(self):
        return "original"


class Child(Greeter):
    pass


def in_thread(function):
    """``function()`` called in a new thread, and its result."""
    result = []
    thread = threading.Thread(target=lambda: result.append(function()))
    thread.start()
    thread.join()
    return result[0]


class ReplacedTest(SimpleTestCase):
    def setUp(self):
        self.module = types.ModuleType("patched")
        self.module.greet = greet

    def test_a_function_is_replaced_in_this_thread_only(self):
        with replaced(self.module, "greet", lambda: "replaced"):
            self.assertEqual(self.module.greet(), "replaced")
            self.assertEqual(in_thread(self.module.greet), "original")
            self.assertIs(original(self.module, "greet"), greet)
        self.assertIs(self.module.greet, greet)

    def test_a_method_is_replaced_and_an_inherited_one_restored_by_deleting_it(self):
        with replaced(Child, "greet", lambda obj: f"replaced for {type(obj).__name__}"):
            self.assertEqual(Child().greet(), "replaced for Child")
            self.assertEqual(Greeter().greet(), "original")
        self.assertNotIn("greet", vars(Child))
        self.assertEqual(Child().greet(), "original")

    def test_blocks_of_two_threads_may_end_in_any_order(self):
        first_in, second_done, first_may_leave = threading.Event(), threading.Event(), threading.Event()
        seen = {}

        def first():
            with replaced(self.module, "greet", lambda: "first"):
                first_in.set()
                second_done.wait(5)
                seen["first, after the other left"] = self.module.greet()
                first_may_leave.wait(5)

        thread = threading.Thread(target=first)
        thread.start()
        first_in.wait(5)
        with replaced(self.module, "greet", lambda: "second"):
            seen["second"] = self.module.greet()
        second_done.set()
        seen["this thread, after leaving"] = self.module.greet()
        first_may_leave.set()
        thread.join()

        self.assertEqual(
            seen, {"second": "second", "first, after the other left": "first", "this thread, after leaving": "original"}
        )
        self.assertIs(self.module.greet, greet, "restored once the last block ended")

    def test_nested_blocks_in_one_thread_unwind_in_order(self):
        with replaced(self.module, "greet", lambda: "outer"):
            with replaced(self.module, "greet", lambda: "inner"):
                self.assertEqual(self.module.greet(), "inner")
            self.assertEqual(self.module.greet(), "outer")
        self.assertIs(self.module.greet, greet)

    def test_a_value_is_shared_and_restored_also_on_error(self):
        self.module.limit = 1
        with self.assertRaises(ZeroDivisionError), replaced(self.module, "limit", 2):
            self.assertEqual(in_thread(lambda: self.module.limit), 2)
            raise ZeroDivisionError
        self.assertEqual(self.module.limit, 1)

    def test_another_value_at_once_is_refused(self):
        self.module.limit = 1
        with replaced(self.module, "limit", 2), self.assertRaises(RuntimeError), replaced(self.module, "limit", 3):
            pass
        self.assertEqual(self.module.limit, 1)

    def test_an_item_is_replaced_and_restored(self):
        store = {"cache": "real"}
        with replaced(store, "cache", "read once", item=True):
            self.assertEqual(store["cache"], "read once")
        self.assertEqual(store, {"cache": "real"})

"""ParamSpec.check and check_params: every kind, its limits, and messages naming parameter and owner."""

import math

import pytest

from nnsim.core.errors import DatasetError, GraphError, TrainingError
from nnsim.core.params import ParamSpec, check_params

UNITS = ParamSpec("units", "int", 8, "Units.", min=1, max=100)
RATE = ParamSpec("rate", "float", 0.5, "Rate.", min=0.0, max=1.0)
FREE = ParamSpec("scale", "float", 1.0, "Unbounded.")
FLAG = ParamSpec("use_bias", "bool", True, "Flag.")
ACT = ParamSpec("activation", "choice", "relu", "Choice.", choices=("relu", "tanh"))
SHAPE = ParamSpec("shape", "shape", (1, 8, 8), "Shape.")
TEXT = ParamSpec("path", "str", "", "Text.")
OWNER_PREFIX = "Parameter 'units' of 'dense1'"


def message(spec, value, owner="dense1", error=GraphError):
    with pytest.raises(error) as info:
        spec.check(value, owner, error)
    return str(info.value)


# --- int ------------------------------------------------------------------------------------------
def test_int_accepts_a_whole_number_in_range():
    assert UNITS.check(5, "dense1") == 5


def test_int_accepts_a_whole_float_and_returns_an_int():
    value = UNITS.check(7.0, "dense1")
    assert value == 7 and type(value) is int


def test_int_refuses_a_fraction():
    assert message(UNITS, 2.5) == f"{OWNER_PREFIX} must be a whole number, not 2.5."


def test_int_below_minimum_names_the_minimum():
    assert message(UNITS, 0) == f"{OWNER_PREFIX} is 0, below its minimum 1: raise it."


def test_int_above_maximum_names_the_maximum():
    assert message(UNITS, 101) == f"{OWNER_PREFIX} is 101, above its maximum 100: lower it."


def test_range_limits_are_inclusive():
    assert UNITS.check(1, "dense1") == 1 and UNITS.check(100, "dense1") == 100


@pytest.mark.parametrize("value", [10**30, -(10**30), 2**63 + 1])
def test_huge_int_is_refused_without_printing_it(value):
    text = message(UNITS, value)
    assert text == f"{OWNER_PREFIX} is far too large: enter a smaller number."
    assert str(value) not in text


def test_int_too_large_to_print_gives_a_short_message():
    assert message(UNITS, 10**5000) == f"{OWNER_PREFIX} is far too large: enter a smaller number."


def test_float_refuses_an_int_too_large_for_a_float():
    assert message(FREE, 10**400, "bn") == "Parameter 'scale' of 'bn' is far too large: enter a smaller number."


@pytest.mark.parametrize("value, shown", [("8", "'8'"), (None, "None"), ([8], "list"), (True, "True")])
def test_int_refuses_non_numbers(value, shown):
    assert message(UNITS, value) == f"{OWNER_PREFIX} must be a number, not {shown}."


def test_very_large_text_value_is_shortened_in_the_message():
    text = message(UNITS, "x" * 1000)
    assert "x" * 100 not in text and "..." in text


# --- float ----------------------------------------------------------------------------------------
def test_float_accepts_ints_and_returns_a_float():
    value = RATE.check(1, "drop")
    assert value == 1.0 and type(value) is float


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_float_refuses_nan_and_infinity(value):
    assert message(FREE, value, "bn") == f"Parameter 'scale' of 'bn' must be a finite number, not {value!r}."


def test_float_out_of_range():
    assert message(RATE, 1.5, "drop") == "Parameter 'rate' of 'drop' is 1.5, above its maximum 1: lower it."
    assert message(RATE, -0.1, "drop") == "Parameter 'rate' of 'drop' is -0.1, below its minimum 0: raise it."


def test_float_without_limits_accepts_any_finite_value():
    assert FREE.check(-1e300, "x") == -1e300


def test_float_refuses_bool():
    assert message(RATE, False, "drop") == "Parameter 'rate' of 'drop' must be a number, not False."


# --- bool, choice, shape, str ---------------------------------------------------------------------
def test_bool_accepts_true_and_false():
    assert FLAG.check(False, "dense1") is False and FLAG.check(True, "dense1") is True


@pytest.mark.parametrize("value, shown", [(1, "1"), ("true", "'true'"), (None, "None")])
def test_bool_refuses_other_values(value, shown):
    assert message(FLAG, value) == f"Parameter 'use_bias' of 'dense1' must be true or false, not {shown}."


def test_choice_accepts_a_listed_value():
    assert ACT.check("tanh", "dense1") == "tanh"


@pytest.mark.parametrize("value, shown", [("sigmoid", "'sigmoid'"), (1, "1"), (["relu"], "list")])
def test_choice_refuses_other_values_and_lists_the_choices(value, shown):
    assert message(ACT, value) == f"Parameter 'activation' of 'dense1' must be one of relu, tanh, not {shown}."


@pytest.mark.parametrize("value", [[1, 8, 8], (4,), [1, 2, 3, 4], [1_000_000]])
def test_shape_accepts_one_to_four_positive_ints_as_a_list(value):
    assert SHAPE.check(value, "reshape") == list(value)


@pytest.mark.parametrize("value", [[], [1, 2, 3, 4, 5], [0, 4], [-1], [2.0], [True], [1_000_001], "1x8x8", None])
def test_shape_refuses_anything_else(value):
    assert message(SHAPE, value, "reshape").startswith(
        "Parameter 'shape' of 'reshape' must be a list of 1 to 4 positive whole numbers, not ")


def test_str_accepts_text_up_to_4096_characters():
    assert TEXT.check("a" * 4096, "the dataset") == "a" * 4096


@pytest.mark.parametrize("value", ["a" * 4097, 3, None])
def test_str_refuses_long_text_and_non_text(value):
    assert message(TEXT, value, "the dataset") == \
        "Parameter 'path' of 'the dataset' must be a text of at most 4096 characters."


# --- error classes --------------------------------------------------------------------------------
def test_default_error_is_graph_error_carrying_the_owner():
    with pytest.raises(GraphError) as info:
        UNITS.check(0, "dense1")
    assert info.value.node == "dense1"


@pytest.mark.parametrize("error", [DatasetError, TrainingError])
def test_other_error_classes_get_the_same_message(error):
    with pytest.raises(error) as info:
        UNITS.check(0, "training", error)
    assert not isinstance(info.value, GraphError)
    assert str(info.value) == "Parameter 'units' of 'training' is 0, below its minimum 1: raise it."


# --- check_params ---------------------------------------------------------------------------------
SPECS = (UNITS, RATE, FLAG, ACT, SHAPE)


def test_check_params_fills_defaults_and_shapes_become_lists():
    assert check_params(SPECS, {}, "dense1") == {"units": 8, "rate": 0.5, "use_bias": True,
                                                 "activation": "relu", "shape": [1, 8, 8]}


def test_check_params_checks_given_values():
    out = check_params(SPECS, {"units": 3.0, "activation": "tanh"}, "dense1")
    assert out["units"] == 3 and type(out["units"]) is int and out["activation"] == "tanh"


def test_check_params_does_not_change_its_input():
    params = {"units": 3.0}
    check_params(SPECS, params, "dense1")
    assert params == {"units": 3.0}


def test_check_params_refuses_unknown_names():
    with pytest.raises(TrainingError, match=r"^'training' has no parameter 'colour': remove it\.$"):
        check_params(SPECS, {"colour": 1, "units": 2}, "training", TrainingError)


def test_check_params_refuses_a_non_mapping():
    with pytest.raises(DatasetError, match=r"^The parameters of 'circle' must be a mapping of names to values\.$"):
        check_params(SPECS, [("units", 2)], "circle", DatasetError)


def test_check_params_reports_the_bad_value_with_its_owner():
    with pytest.raises(GraphError, match=r"^Parameter 'rate' of 'drop1' is 2, above its maximum 1: lower it\.$"):
        check_params(SPECS, {"rate": 2}, "drop1")

import numpy as np
import pytest

from nnsim.core.errors import DatasetError
from nnsim.data import load_csv


def write(tmp_path, text, name="data.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


IRIS_LIKE = "a,b,species\n" + "".join(
    f"{i % 7}.5,{(i * 3) % 5}.0,{['setosa', 'virginica', 'versicolor'][i % 3]}\n" for i in range(30))


def test_csv_with_header_reads_names_and_text_classes(tmp_path):
    d = load_csv(write(tmp_path, IRIS_LIKE), "species", standardize=False)
    assert d.task == "classification" and d.feature_names == ["a", "b"]
    assert d.class_names == ["setosa", "versicolor", "virginica"]
    assert d.n_train + d.n_test == 30 and d.input_shape == (2,)


def test_csv_without_header_names_columns_and_uses_last_as_target(tmp_path):
    text = "".join(f"{i},{i * 2},{i % 2}\n" for i in range(20))
    d = load_csv(write(tmp_path, text), -1, standardize=False)
    assert d.feature_names == ["x1", "x2"] and d.n_train + d.n_test == 20
    assert d.task == "classification" and d.class_names == ["0", "1"]
    row = d.x_train[0]
    assert row[1] == 2 * row[0]


def test_csv_target_by_index(tmp_path):
    text = "".join(f"{i % 3},{i}.5,{i * 2}.25\n" for i in range(30))
    d = load_csv(write(tmp_path, text), 0, standardize=False)
    assert d.task == "classification" and d.n_classes == 3 and d.feature_names == ["x2", "x3"]


def test_csv_float_target_is_regression(tmp_path):
    text = "x,y\n" + "".join(f"{i},{i * 0.37:.3f}\n" for i in range(40))
    d = load_csv(write(tmp_path, text), "y", standardize=False)
    assert d.task == "regression" and d.labels_train is None
    np.testing.assert_allclose(d.y_train[:, 0], np.round(d.x_train[:, 0] * 0.37, 3), atol=1e-5)


def test_csv_many_integer_values_are_regression_in_auto(tmp_path):
    text = "x,y\n" + "".join(f"{i},{i * 3}\n" for i in range(40))
    assert load_csv(write(tmp_path, text), "y").task == "regression"


def test_csv_task_can_be_forced(tmp_path):
    text = "x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(20))
    assert load_csv(write(tmp_path, text), "y", task="regression").task == "regression"


def test_csv_classification_targets_are_one_hot(tmp_path):
    d = load_csv(write(tmp_path, IRIS_LIKE), "species")
    t = d.targets("train", 3)
    assert t.shape == (d.n_train, 3) and t.dtype == np.float32
    np.testing.assert_array_equal(t.sum(axis=1), 1)
    np.testing.assert_array_equal(t.argmax(axis=1), d.labels_train)


def test_csv_standardization_uses_train_statistics_only(tmp_path):
    text = "x,y\n" + "".join(f"{i * i},{i % 2}\n" for i in range(50))
    raw = load_csv(write(tmp_path, text), "y", standardize=False, seed=4)
    std = load_csv(write(tmp_path, text), "y", standardize=True, seed=4)
    mean, sd = raw.x_train.mean(axis=0), raw.x_train.std(axis=0)
    np.testing.assert_allclose(std.x_train, (raw.x_train - mean) / sd, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(std.x_test, (raw.x_test - mean) / sd, rtol=1e-4, atol=1e-5)
    assert abs(std.x_test.mean()) > 1e-3  # test set was not used for the statistics


def test_csv_semicolon_delimiter_and_blank_lines(tmp_path):
    text = "x;y\n\n" + "".join(f"{i};{i % 2}\n" for i in range(10)) + "\n"
    assert load_csv(write(tmp_path, text), "y").n_train + load_csv(write(tmp_path, text), "y").n_test == 10


def test_csv_wrong_column_count_names_the_line(tmp_path):
    text = "a,b,c,d\n" + "1,2,3,0\n" * 15 + "1,2,0\n" + "1,2,3,1\n"
    with pytest.raises(DatasetError) as err:
        load_csv(write(tmp_path, text), "d")
    assert str(err.value) == ("data.csv line 17 has 3 values but the header has 4 columns: "
                              "fix or remove that line.")


def test_csv_non_numeric_feature_names_the_line_and_column(tmp_path):
    text = "a,b,y\n1,2,0\n3,4,1\n5,oops,0\n"
    with pytest.raises(DatasetError, match=r"data\.csv line 4, column 'b': 'oops' is not a number"):
        load_csv(write(tmp_path, text), "y")


def test_csv_empty_feature_value_names_the_line(tmp_path):
    text = "a,b,y\n1,2,0\n3,,1\n5,6,0\n"
    with pytest.raises(DatasetError, match="line 3.*empty value"):
        load_csv(write(tmp_path, text), "y")


def test_csv_non_numeric_regression_target_names_the_line(tmp_path):
    text = "a,y\n1,0.5\n2,1.5\n3,abc\n"
    with pytest.raises(DatasetError, match="line 4"):
        load_csv(write(tmp_path, text), "y", task="regression")


def test_csv_empty_file(tmp_path):
    with pytest.raises(DatasetError, match="data.csv is empty"):
        load_csv(write(tmp_path, "\n\n"), -1)


def test_csv_header_only(tmp_path):
    with pytest.raises(DatasetError, match="no data"):
        load_csv(write(tmp_path, "a,b,y\n"), "y")


def test_csv_missing_target_column(tmp_path):
    with pytest.raises(DatasetError, match="no column named 'label'"):
        load_csv(write(tmp_path, "a,b,y\n1,2,0\n3,4,1\n"), "label")


def test_csv_target_index_out_of_range(tmp_path):
    with pytest.raises(DatasetError, match="no column number 5"):
        load_csv(write(tmp_path, "1,2,0\n3,4,1\n"), 5)


def test_csv_file_not_found(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        load_csv(tmp_path / "missing.csv", -1)


def test_csv_not_utf8(tmp_path):
    p = write(tmp_path, "a,b,y\n1,2,0\n\xe9t\xe9,4,1\n", encoding="latin-1")
    with pytest.raises(DatasetError, match="data.csv line 3 is not UTF-8"):
        load_csv(p, "y")


def test_csv_single_class_is_refused(tmp_path):
    with pytest.raises(DatasetError, match="single class"):
        load_csv(write(tmp_path, "a,y\n1,0\n2,0\n3,0\n"), "y")

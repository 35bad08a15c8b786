"""Errors raised for bad input, naming the file, row and column (or the option) at fault."""

from __future__ import annotations

from collections.abc import Callable


class InputError(ValueError):
    """Bad user input: a file, a row, a column or an option that cannot be used.

    Library code names an option by its parameter name (``method``, ``radii_m``); each face
    shows it under its own label (the CLI as ``--method``, the app as the widget's label), see
    :meth:`describe`.

    Parameters
    ----------
    message : str
        What is wrong, in words a user understands.
    file : str, optional
        The file at fault (its name as the user gave it).
    row : int, optional
        The 1-based data row at fault (header excluded), as a spreadsheet user counts rows.
    column : str, optional
        The column at fault.
    option : str, optional
        The option (function parameter, setting) at fault, by its library name.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        option: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.option = option
        super().__init__(self.__str__())

    def describe(self, *, option_label: Callable[[str], str] | None = None) -> str:
        """Return the message with where it applies, an option shown by ``option_label``.

        Parameters
        ----------
        option_label : callable, optional
            Maps the library's option name to the face's label (default: the name itself).

        Returns
        -------
        str
            ``"file f.csv, row 3, column 'lat': ..."`` or ``"option '--method': ..."``.
        """
        where = []
        if self.file is not None:
            where.append(f"file {self.file!s}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.option is not None:
            label = option_label(self.option) if option_label else self.option
            where.append(f"option {label!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def __str__(self) -> str:
        return self.describe()


class RegionNotFoundError(InputError):
    """A region pack that has not been built."""

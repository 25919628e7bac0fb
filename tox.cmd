@echo off
rem tox.cmd: ./tox for Windows (see ./tox). The first run makes .tox-bootstrap\, a virtual
rem environment holding the tox and tox-uv pinned in .ci\tox-requirements.txt (again whenever
rem a pin changes); every run then runs that tox, from the project's root, with the arguments
rem given: tox.cmd -e kata1. KATAS_PYTHON names the Python to set up with (default: py -3,
rem or python when there is no py launcher).
setlocal
set "BOOT_ROOT=%~dp0"
set "BOOT_ENV=%~dp0.tox-bootstrap"
set "BOOT_PINS=%~dp0.ci\tox-requirements.txt"
set "BOOT_LOG=%~dp0.tox-bootstrap\install.log"

rem Set up unless the environment is whole and holds the pins (a copy of them, written last).
if not exist "%BOOT_ENV%\Scripts\python.exe" goto setup
fc /b "%BOOT_PINS%" "%BOOT_ENV%\pins.txt" >nul 2>&1 || goto setup
goto run

:setup
set BOOT_PY=python
where py >nul 2>&1 && set BOOT_PY=py -3
if defined KATAS_PYTHON set BOOT_PY="%KATAS_PYTHON%"
%BOOT_PY% -c "import sys; sys.exit(sys.version_info < (3, 11))" >nul 2>&1 || goto old
>&2 echo tox.cmd: installing tox and tox-uv into .tox-bootstrap\ - first run only, under a minute
if exist "%BOOT_ENV%" rmdir /s /q "%BOOT_ENV%"
mkdir "%BOOT_ENV%" || exit /b 1
%BOOT_PY% -m venv "%BOOT_ENV%" >"%BOOT_LOG%" 2>&1 || goto novenv
"%BOOT_ENV%\Scripts\python.exe" -m pip install --disable-pip-version-check --no-input ^
    --quiet --requirement "%BOOT_PINS%" >>"%BOOT_LOG%" 2>&1 || goto nopip
copy /y "%BOOT_PINS%" "%BOOT_ENV%\pins.txt" >nul || exit /b 1

:run
pushd "%BOOT_ROOT%"
"%BOOT_ENV%\Scripts\python.exe" -m tox %*
set "BOOT_CODE=%ERRORLEVEL%"
popd
exit /b %BOOT_CODE%

:old
>&2 echo tox.cmd: needs Python 3.11 or newer: install one from python.org, or set KATAS_PYTHON
exit /b 1

:novenv
>&2 echo tox.cmd: %BOOT_PY% -m venv failed; see %BOOT_LOG%
exit /b 1

:nopip
>&2 echo tox.cmd: could not install tox - is PyPI reachable? See %BOOT_LOG%
exit /b 1

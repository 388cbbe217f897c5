; Inno Setup 6 script of the Windows installer: per user, no admin rights, a Start-menu entry.
;
; Build on Windows (packaging/README.md has the whole sequence):
;   .venv\Scripts\pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller packaging\callassist.spec
;   "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" packaging\windows\callassist.iss
; Output: dist\callassist-<version>-setup.exe
;
; It installs the PyInstaller folder dist\callassist\ into %LOCALAPPDATA%\Programs\callassist. The project's
; data folders (DATA_DIRS in packaging/callassist.spec) are listed one by one below and excluded from the bulk
; copy of _internal\; tests/packaging/test_installer_sync.py checks that the two lists agree.
; An upgrade first deletes the old _internal\ (a rule pack removed from resources\ must not linger and still
; be loaded). Uninstalling removes only what was installed: records, settings and logs stay in
; %LOCALAPPDATA%\callassist (a different folder).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define Dist "..\..\dist\callassist"
#define Icon "..\..\build\pyinstaller\stage\callassist.ico"

[Setup]
AppId={{6F0C2B0E-5B1D-4C36-9F0B-3C7A2E9D4A11}
AppName=催收通话助手
AppVerName=催收通话助手 {#AppVersion}
AppVersion={#AppVersion}
AppPublisher=callassist
VersionInfoVersion={#AppVersion}
PrivilegesRequired=lowest
DefaultDirName={userpf}\callassist
DisableDirPage=yes
DefaultGroupName=催收通话助手
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=callassist-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayName=催收通话助手
UninstallDisplayIcon={app}\callassist.exe
#if FileExists(Icon)
SetupIconFile={#Icon}
#endif
CloseApplications=yes

[Languages]
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "zh"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#else
Name: "en"; MessagesFile: "compiler:Default.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Dist}\callassist.exe"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#Dist}\_internal\*"; DestDir: "{app}\_internal"; Excludes: "\resources,\models\whisper-base"; Flags: ignoreversion recursesubdirs createallsubdirs
; the project's data folders (DATA_DIRS of the spec)
Source: "{#Dist}\_internal\resources\*"; DestDir: "{app}\_internal\resources"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#Dist}\_internal\models\whisper-base\*"; DestDir: "{app}\_internal\models\whisper-base"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\催收通话助手"; Filename: "{app}\callassist.exe"; WorkingDir: "{app}"; Comment: "离线催收通话实时辅助"
Name: "{userdesktop}\催收通话助手"; Filename: "{app}\callassist.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\callassist.exe"; Description: "{cm:LaunchProgram,催收通话助手}"; Flags: nowait postinstall skipifsilent

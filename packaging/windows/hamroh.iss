; Windows installer for Hamroh (Inno Setup 6): compile after `python packaging/build.py`
;   iscc /DAppVersion=0.1.0 packaging\windows\hamroh.iss
; - installs per user, without administrator rights, into %LOCALAPPDATA%\Programs\Hamroh;
; - Start-menu entry (and a desktop shortcut if chosen);
; - installing a newer version over an older one replaces the program files only;
; - uninstalling removes the program files only. The data (databases with their .keys
;   files, backups, settings, logs) live in %LOCALAPPDATA%\Hamroh\Hamroh and are kept.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define SourceDir "..\..\dist\Hamroh"

[Setup]
; the same AppId for every version: a new version installs over the old one
AppId={{6F1D2C3A-7B1E-4B8C-9E3A-5D4C2B1A0F19}
AppName=Hamroh
AppVersion={#AppVersion}
AppVerName=Hamroh {#AppVersion}
AppPublisher=Hamroh
DefaultDirName={autopf}\Hamroh
DefaultGroupName=Hamroh
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=hamroh-{#AppVersion}-windows-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\Hamroh.exe
SetupIconFile=..\..\resources\app\hamroh.ico
UninstallDisplayName=Hamroh
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "russian"; MessagesFile: "compiler:Languages\Russian.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; the previous version's program files (libraries a new version no longer ships); the
; data folder is elsewhere and a portable copy's data\ folder is not touched
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Hamroh"; Filename: "{app}\Hamroh.exe"
Name: "{autodesktop}\Hamroh"; Filename: "{app}\Hamroh.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\Hamroh.exe"; Description: "{cm:LaunchProgram,Hamroh}"; Flags: nowait postinstall skipifsilent

; [UninstallDelete] is deliberately absent: only the files installed above are removed.

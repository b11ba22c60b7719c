// Spanish. Each English message id (see i18n.ts) and its Spanish text; `{name}` pieces are kept
// as they are. `npm test` fails when a string the page or the scripts show is missing here.
export const ES: Readonly<Record<string, string>> = {
  // The page around every screen.
  "Starting…": "Iniciando…",
  "Slate {version}": "Slate {version}",
  Language: "Idioma",
  "Text and colours": "Texto y colores",

  // First run.
  "Set up this kiosk": "Configurar este quiosco",
  "Create the first administrator account. Administrators change the kiosk's settings and look after its users.":
    "Cree la primera cuenta de administrador. Los administradores cambian la configuración del quiosco y se ocupan de sus usuarios.",
  Username: "Nombre de usuario",
  "Display name": "Nombre visible",
  Password: "Contraseña",
  "At least 8 characters. Spaces and any language are fine.":
    "Al menos 8 caracteres. Se admiten espacios y cualquier idioma.",
  "Confirm password": "Confirme la contraseña",
  "Create administrator": "Crear administrador",
  "The administrator account is ready. Sign in with it.":
    "La cuenta de administrador está lista. Inicie sesión con ella.",
  "Enter a username.": "Escriba un nombre de usuario.",
  "A username can have at most {max} characters.":
    "Un nombre de usuario puede tener como máximo {max} caracteres.",
  "The password needs at least {min} characters.":
    "La contraseña necesita al menos {min} caracteres.",
  "The password can have at most {max} characters.":
    "La contraseña puede tener como máximo {max} caracteres.",
  "The two passwords are not the same.": "Las dos contraseñas no coinciden.",

  // Sign-in.
  "Sign in": "Iniciar sesión",
  or: "o",
  "Continue as guest": "Continuar como invitado",

  // Session.
  Administrator: "Administrador",
  "Welcome, guest": "Bienvenido, invitado",
  "Welcome, {name}": "Bienvenido, {name}",
  "Time left {time}": "Tiempo restante {time}",
  "Your session ends in {duration}. Save what you need now.":
    "Su sesión termina en {duration}. Guarde ahora lo que necesite.",
  "This terminal is yours until you sign out. When you do, or if you leave it alone for a while, your session ends and the next person starts afresh.":
    "Este terminal es suyo hasta que cierre la sesión. Cuando lo haga, o si lo deja sin usar un rato, su sesión termina y la siguiente persona empieza de cero.",
  Display: "Pantalla",
  "Larger text": "Texto más grande",
  "High contrast": "Alto contraste",
  "My files": "Mis archivos",
  "Files you save or download land here. They are erased when you sign out.":
    "Aquí llegan los archivos que guarde o descargue. Se borran al cerrar la sesión.",
  "No files yet.": "Todavía no hay archivos.",
  Delete: "Borrar",
  "Delete {name}": "Borrar {name}",
  folder: "carpeta",
  "Sign out": "Cerrar sesión",

  // Dialogs.
  "Sign out now?": "¿Cerrar la sesión ahora?",
  "Your files on this terminal will be erased.": "Se borrarán sus archivos de este terminal.",
  Cancel: "Cancelar",
  "Sign out now": "Cerrar sesión ahora",
  "Are you still there?": "¿Sigue ahí?",
  "You will be signed out in": "Su sesión se cerrará en",
  "because nobody has used this terminal.": "porque nadie ha usado este terminal.",
  "{duration} left.": "Quedan {duration}.",
  "Stay signed in": "Seguir con la sesión",

  // Ending and after.
  "Signing out…": "Cerrando la sesión…",
  "You are signed out": "Ha cerrado la sesión",
  "Your files and browsing data on this terminal were erased.":
    "Se han borrado sus archivos y sus datos de navegación de este terminal.",
  "Press any key or tap the screen to continue.": "Pulse cualquier tecla o toque la pantalla para continuar.",
  "You signed out.": "Ha cerrado la sesión.",
  "You were signed out after {duration} without activity.":
    "Se cerró su sesión tras {duration} sin actividad.",
  "Your session reached its time limit of {duration}.":
    "Su sesión llegó a su tiempo máximo de {duration}.",
  "Your session reached its time limit.": "Su sesión llegó a su tiempo máximo.",
  "A member of staff ended your session.": "Un miembro del personal terminó su sesión.",
  "The session ended because the kiosk was closed or the machine went to sleep.":
    "La sesión terminó porque se cerró el quiosco o el equipo entró en suspensión.",
  "The previous session was ended when the kiosk restarted.":
    "La sesión anterior terminó al reiniciarse el quiosco.",
  "This terminal needs attention": "Este terminal necesita atención",
  "It cannot be used until this is put right. Please tell a member of staff.":
    "No se puede usar hasta que se solucione. Avise a un miembro del personal.",
  "This kiosk cannot start": "Este quiosco no puede iniciarse",
  "Please tell a member of staff.": "Avise a un miembro del personal.",

  // Errors the core reports: its sentences, and for those with figures or names in them one
  // sentence a code (errors.ts).
  "Wrong username or password.": "Nombre de usuario o contraseña incorrectos.",
  "Too many attempts. Try again in {wait}.": "Demasiados intentos. Vuelva a intentarlo dentro de {wait}.",
  "This account is locked after too many failed sign-ins. Ask a member of staff to unlock it.":
    "Esta cuenta se ha bloqueado tras demasiados intentos fallidos. Pida a un miembro del personal que la desbloquee.",
  "This account is disabled. Ask a member of staff.":
    "Esta cuenta está desactivada. Pregunte a un miembro del personal.",
  "Guest sign-in is not available on this kiosk.": "En este quiosco no se puede entrar como invitado.",
  "This kiosk is already set up; sign in instead.": "Este quiosco ya está configurado; inicie sesión.",
  "Someone is already signed in on this kiosk.": "Ya hay alguien con la sesión iniciada en este quiosco.",
  "Nobody is signed in.": "No hay nadie con la sesión iniciada.",
  "The database's write-ahead log is still held by another reader, so it could not be emptied.":
    "Otro lector sigue usando el registro de escritura de la base de datos, así que no se pudo vaciar.",
  "Only an administrator signed in at this terminal can do that.":
    "Solo un administrador con sesión iniciada en este terminal puede hacer eso.",
  "Slate's session manager has stopped; restart the kiosk.":
    "El gestor de sesiones de Slate se ha detenido; reinicie el quiosco.",
  "Something went wrong inside Slate. Please tell staff.":
    "Algo ha fallado dentro de Slate. Avise al personal.",
  "Slate cannot read or write its data. Please tell staff.":
    "Slate no puede leer ni escribir sus datos. Avise al personal.",
  "What was entered is not accepted.": "Lo escrito no se acepta.",
  "Slate's core is not reachable from this page.": "El núcleo de Slate no es accesible desde esta página.",
  "There is no such user.": "No existe ese usuario.",
  "There is already a user with that name.": "Ya existe un usuario con ese nombre.",
  "That is not allowed.": "Eso no está permitido.",
  "This terminal needs attention. Ask a member of staff.":
    "Este terminal necesita atención. Pregunte a un miembro del personal.",

  // The administrator panel.
  Administration: "Administración",
  Settings: "Configuración",
  Users: "Usuarios",
  Audit: "Auditoría",
  Terminal: "Terminal",
  "Durations can be written as 90s, 5m or 1h30m. Settings set by the policy file cannot be changed here.":
    "Las duraciones se pueden escribir como 90s, 5m o 1h30m. Lo que fija el archivo de directivas no se puede cambiar aquí.",
  "{description} Allowed: {bounds}.": "{description} Permitido: {bounds}.",
  "Set by policy": "Fijado por directiva",
  "Set here (default: {default})": "Fijado aquí (predeterminado: {default})",
  empty: "vacío",
  Default: "Predeterminado",
  Yes: "Sí",
  No: "No",
  Save: "Guardar",
  "Save {setting}": "Guardar {setting}",
  "Use default": "Usar el predeterminado",
  "Use default for {setting}": "Usar el predeterminado para {setting}",
  "Accounts on this terminal": "Cuentas de este terminal",
  User: "Usuario",
  Role: "Función",
  Status: "Estado",
  "Last sign-in": "Último inicio de sesión",
  "Last sign-out": "Último cierre de sesión",
  Actions: "Acciones",
  Active: "Activa",
  Disabled: "Desactivada",
  Locked: "Bloqueada",
  Never: "Nunca",
  Disable: "Desactivar",
  "Disable {user}": "Desactivar {user}",
  "Disable {user}?": "¿Desactivar {user}?",
  "They will not be able to sign in, and their session ends if they are signed in.":
    "No podrá iniciar sesión, y su sesión termina si la tiene iniciada.",
  Enable: "Activar",
  "Enable {user}": "Activar {user}",
  Unlock: "Desbloquear",
  "Unlock {user}": "Desbloquear {user}",
  "Reset password": "Restablecer la contraseña",
  "Reset password for {user}": "Restablecer la contraseña de {user}",
  "New password for {user}": "Nueva contraseña para {user}",
  Remove: "Eliminar",
  "Remove {user}": "Eliminar {user}",
  "Remove {user}?": "¿Eliminar {user}?",
  "The account is deleted. The audit log keeps its records.":
    "La cuenta se elimina. El registro de auditoría conserva sus registros.",
  "Add a user": "Añadir un usuario",
  "At least 8 characters.": "Al menos 8 caracteres.",
  "Add user": "Añadir usuario",
  "New password": "Nueva contraseña",
  "Change password": "Cambiar la contraseña",
  Event: "Evento",
  Any: "Cualquiera",
  Reason: "Motivo",
  "From (date)": "Desde (fecha)",
  "Until (date)": "Hasta (fecha)",
  Show: "Mostrar",
  "Verify the chain": "Verificar la cadena",
  "Audit records, newest first": "Registros de auditoría, los más recientes primero",
  When: "Cuándo",
  Details: "Detalles",
  "No records match.": "Ningún registro coincide.",
  Newer: "Más recientes",
  Older: "Más antiguos",
  "Terminal name": "Nombre del terminal",
  "Slate version": "Versión de Slate",
  "Last wipe": "Último borrado",
  "Policy file": "Archivo de directivas",
  "Policy problems": "Problemas de la directiva",
  "Audit log": "Registro de auditoría",
  "{count} records so far": "{count} registros hasta ahora",
  "Data folder": "Carpeta de datos",
  None: "Ninguno",
  Nothing: "Nada",
  Empty: "Vacío",

  // What an administrator's action did (the core's phrases).
  "Saved {key}: {value}.": "Se ha guardado {key}: {value}.",
  "{key} is back to its default: {value}.": "{key} vuelve a su valor predeterminado: {value}.",
  "(empty)": "(vacío)",
  "Added {user}.": "Se ha añadido a {user}.",
  "Enabled {user}.": "Se ha activado a {user}.",
  "Disabled {user}.": "Se ha desactivado a {user}.",
  "Changed the password of {user}.": "Se ha cambiado la contraseña de {user}.",
  "Unlocked {user}.": "Se ha desbloqueado a {user}.",
  "Removed {user}.": "Se ha eliminado a {user}.",
  "The audit log is intact: {count} records, head {head}.":
    "El registro de auditoría está intacto: {count} registros, cabeza {head}.",
  "The audit log does not verify: {why}": "El registro de auditoría no se verifica: {why}",
  "{field} must be a date like 2026-11-21, not {value}.":
    "{field} debe ser una fecha como 2026-11-21, no {value}.",
  From: "Desde",
  Until: "Hasta",
  "Wiped and re-checked at {time} ({reason}).": "Borrada y comprobada el {time} ({reason}).",
  "NOT fully wiped at {time} ({reason}).": "NO borrada del todo el {time} ({reason}).",
  "No session has ended yet.": "Todavía no ha terminado ninguna sesión.",

  // The session's browser.
  Browser: "Navegador",
  Address: "Dirección",
  Back: "Atrás",
  Forward: "Adelante",
  Reload: "Recargar",
  Home: "Inicio",
  "This page is not available here": "Esta página no está disponible aquí",
  "This terminal only opens these sites: {sites}.": "Este terminal solo abre estos sitios: {sites}.",
  "Address: {address}": "Dirección: {address}",
  "Go back": "Volver",
  "Downloaded {name} into My files.": "Se ha descargado {name} en Mis archivos.",
  "The download of {name} failed.": "La descarga de {name} ha fallado.",
  "Choose a file to upload": "Elija un archivo para subir",
  "The page asks for a file. You can give it one of My files.":
    "La página pide un archivo. Puede darle uno de Mis archivos.",
  "My files is empty: download or save a file first.":
    "Mis archivos está vacío: descargue o guarde antes un archivo.",
  Upload: "Subir",
  "Upload {name}": "Subir {name}",
  "The browser cannot do that: {why}": "El navegador no puede hacer eso: {why}",

  // The core's refusals of a name or password (the forms check most of them first).
  "A username can have at most 64 characters.": "Un nombre de usuario puede tener como máximo 64 caracteres.",
  "A username cannot contain control characters.": "Un nombre de usuario no puede contener caracteres de control.",
  "The password needs at least 8 characters.": "La contraseña necesita al menos 8 caracteres.",
  "The password can have at most 256 characters.": "La contraseña puede tener como máximo 256 caracteres.",
  "The password cannot contain the NUL character.": "La contraseña no puede contener el carácter NUL.",
  "That password is too common and easy to guess; choose another.":
    "Esa contraseña es demasiado común y fácil de adivinar; elija otra.",
  "The password cannot be the username.": "La contraseña no puede ser el nombre de usuario.",
  "A display name can have at most 128 characters and no control characters.":
    "Un nombre visible puede tener como máximo 128 caracteres y ningún carácter de control.",
  "No data folder was given and this account has no home folder; pass --data-dir DIR.":
    "No se indicó carpeta de datos y esta cuenta no tiene carpeta personal; pase --data-dir DIR.",

  // The core's refusals, with their pieces.
  "There is no user called {user}.": "No hay ningún usuario llamado {user}.",
  "There is already a user called {user}.": "Ya hay un usuario llamado {user}.",
  "{user} is the last administrator who can sign in; add or enable another administrator first.":
    "{user} es el último administrador que puede iniciar sesión; añada o active antes otro administrador.",
  "There is no preference called {key}.": "No hay ninguna preferencia llamada {key}.",
  "{key} can be {choices}, not {value}.": "{key} puede ser {choices}, no {value}.",
  "There is no file called {name} in My files.": "No hay ningún archivo llamado {name} en Mis archivos.",
  "Cannot delete {name}: {why}.": "No se puede eliminar {name}: {why}.",

  // Needs attention: why.
  "This terminal needs attention: {why} Ask a member of staff.":
    "Este terminal necesita atención: {why} Avise a un miembro del personal.",
  "The last session could not be fully erased.": "La última sesión no se pudo borrar del todo.",
  "The last session could not be fully erased: {surfaces}.":
    "La última sesión no se pudo borrar del todo: {surfaces}.",
  "Slate could not record the end of the last session ({why}).":
    "Slate no pudo registrar el final de la última sesión ({why}).",

  // A setting's value refused, and the bounds it must keep.
  "There is no setting called {key}; `slatectl config show` lists them all.":
    "No hay ningún ajuste llamado {key}; `slatectl config show` los enumera todos.",
  "{key} must be true or false, not {value}.": "{key} debe ser true o false, no {value}.",
  "{key} must be {bounds}, not {value}.": "{key} debe ser {bounds}, no {value}.",
  "{key} can have at most {count} characters and no line breaks.":
    "{key} puede tener como máximo {count} caracteres y ningún salto de línea.",
  "{key} must be one of {choices}, not {value}.": "{key} debe ser uno de {choices}, no {value}.",
  "{key}: {why}": "{key}: {why}",
  "idle_warning ({warning}) must be less than idle_timeout ({timeout}).":
    "idle_warning ({warning}) debe ser menor que idle_timeout ({timeout}).",
  "home_page {home} is not within allowed_sites.": "home_page {home} no está dentro de allowed_sites.",
  "{key} is set by the policy file {file}; change it there.":
    "{key} lo fija el archivo de directivas {file}; cámbielo allí.",
  "true or false": "true o false",
  "a duration from {min} to {max}": "una duración de {min} a {max}",
  "a whole number from {min} to {max}": "un número entero de {min} a {max}",
  "0 (off) or a duration from {min} to {max}": "0 (desactivado) o una duración de {min} a {max}",
  "0 (off) or a whole number from {min} to {max}": "0 (desactivado) o un número entero de {min} a {max}",
  "durations from {min} to {max}, separated by commas": "duraciones de {min} a {max}, separadas por comas",
  "text of at most {count} characters": "un texto de como máximo {count} caracteres",
  "one of {choices}": "uno de {choices}",
  "origins or host patterns, separated by commas": "orígenes o patrones de host, separados por comas",
  "empty, or an http:// or https:// address": "vacío, o una dirección http:// o https://",
  "{entry} is not a host pattern like *.gov.example.": "{entry} no es un patrón de host como *.gov.example.",
  "{entry} is not a site address.": "{entry} no es la dirección de un sitio.",
  "{entry} must be an origin like https://catalogue.example.org (no path).":
    "{entry} debe ser un origen como https://catalogue.example.org (sin ruta).",
  "{entry} is not a site: write an origin (https://catalogue.example.org), a host, or a pattern (*.gov.example).":
    "{entry} no es un sitio: escriba un origen (https://catalogue.example.org), un host o un patrón (*.gov.example).",
  "at most {count} sites.": "como máximo {count} sitios.",

  // The policy file's problems.
  "The policy file {file} {why}; it is ignored and the settings below it apply.":
    "El archivo de directivas {file} {why}; se ignora y se aplican los ajustes que tiene debajo.",
  "The policy folder {folder} {why}; the files in it are ignored.":
    "La carpeta de directivas {folder} {why}; se ignoran los archivos que contiene.",
  "does not exist": "no existe",
  "is not a file": "no es un archivo",
  "is {size} bytes, larger than the {max} a policy may be":
    "tiene {size} bytes, más que los {max} que puede tener un archivo de directivas",
  "is not UTF-8 text": "no es texto UTF-8",
  "cannot be read ({why})": "no se puede leer ({why})",
  "{file}, line {line}: {why} The key {key} is ignored; the settings below it apply.":
    "{file}, línea {line}: {why} La clave {key} se ignora; se aplican los ajustes que tiene debajo.",
  "The policy file {file} is not valid TOML at line {line} ({why}); it is ignored and the settings below it apply.":
    "El archivo de directivas {file} no es TOML válido en la línea {line} ({why}); se ignora y se aplican los ajustes que tiene debajo.",
  "there is no setting called {key}.": "no hay ningún ajuste llamado {key}.",
  "{key} must be a string, a number, true/false or a list of them.":
    "{key} debe ser un texto, un número, true/false o una lista de ellos.",

  // The settings: their names (from their keys) and what the core says of them.
  "Idle timeout": "Tiempo de inactividad",
  "Idle warning": "Aviso de inactividad",
  "Time limit": "Tiempo máximo",
  "Time limit warnings": "Avisos del tiempo máximo",
  "Signed out screen": "Pantalla de sesión cerrada",
  "Signed out message": "Mensaje de sesión cerrada",
  "Audit retention days": "Días de conservación de la auditoría",
  "Guests allowed": "Invitados permitidos",
  "Signin backoff cap": "Espera máxima entre intentos",
  "Signin lock after": "Bloqueo tras intentos fallidos",
  "Admin idle timeout": "Inactividad del administrador",
  "Allowed sites": "Sitios permitidos",
  "Home page": "Página de inicio",
  "How long a session may go without activity before it ends.":
    "Cuánto puede estar una sesión sin actividad antes de terminar.",
  "How long before an idle ending the warning appears; less than the idle timeout.":
    "Cuánto antes de un cierre por inactividad aparece el aviso; menos que el tiempo de inactividad.",
  "The longest a session may last, or off; activity does not extend it.":
    "Lo máximo que puede durar una sesión, u off; la actividad no la alarga.",
  "When to warn before the time limit, comma-separated.":
    "Cuándo avisar antes del tiempo máximo, separado por comas.",
  "How long the signed-out screen shows before the sign-in screen.":
    "Cuánto se muestra la pantalla de sesión cerrada antes de la de inicio de sesión.",
  "A line of your own on the signed-out screen (empty for none).":
    "Una línea propia en la pantalla de sesión cerrada (vacía para ninguna).",
  "Days the audit log keeps its records, or off to keep them forever (pruning keeps the chain verifiable).":
    "Días que el registro de auditoría conserva sus registros, u off para conservarlos siempre (la poda mantiene la cadena verificable).",
  'Whether the sign-in screen offers "Continue as guest".':
    "Si la pantalla de inicio de sesión ofrece «Continuar como invitado».",
  "The longest wait between failed sign-ins to one name (the wait doubles from 1 s).":
    "La espera máxima entre inicios de sesión fallidos de un mismo nombre (la espera se duplica desde 1 s).",
  "Consecutive failed sign-ins after which an account locks until an administrator unlocks it.":
    "Inicios de sesión fallidos seguidos tras los que una cuenta se bloquea hasta que un administrador la desbloquee.",
  "How long an administrator's session may go without activity before it ends.":
    "Cuánto puede estar la sesión de un administrador sin actividad antes de terminar.",
  "This terminal's name in the audit log and on screen (empty: the machine's host name).":
    "El nombre de este terminal en el registro de auditoría y en pantalla (vacío: el nombre del equipo).",
  "The language the sign-in screen starts in (en or es); people can switch.":
    "El idioma en que empieza la pantalla de inicio de sesión (en o es); cada persona puede cambiarlo.",
  "Sites a session may browse: origins or host patterns like *.gov.example, comma-separated (empty: no browser).":
    "Sitios que una sesión puede visitar: orígenes o patrones de host como *.gov.example, separados por comas (vacío: sin navegador).",
  "The address the browser opens at, within allowed_sites (empty: the first allowed site).":
    "La dirección con la que se abre el navegador, dentro de allowed_sites (vacío: el primer sitio permitido).",
};

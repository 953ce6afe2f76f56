"""The built-in message texts, in each guest language: what a guest receives until the owner
writes their own (Settings → Messages → Templates). Placeholders as in `messaging.texts`."""

EN = {
    "arrival": (
        "Hello {guest_name}, welcome to {property}! Your door code is {pin} ({doors}). "
        "It works from {check_in} until {check_out}. Your page with the way in: {link}"
    ),
    "backup": (
        "Hello {guest_name}, here is a backup code for {property}: {doors}. "
        "It works until {check_out}."
    ),
    "checkout": (
        "Hello {guest_name}, a reminder that check-out at {property} is at {check_out}. "
        "Safe travels!"
    ),
    "changed": (
        "Hello {guest_name}, your stay at {property} changed: {unit}, from {check_in} until "
        "{check_out}. Your door code is {pin} ({doors})."
    ),
    "email": (
        "Hello {guest_name},\n\n"
        "Welcome to {property}! Your stay in {unit} is from {check_in} until {check_out}.\n\n"
        "Your page shows the way in, your door code from the start of your stay, and help if "
        "the code does not work:\n{link}\n\n"
        "Keep this link to yourself: it opens your stay's page.\n\n"
        "See you soon!"
    ),
}
PT = {
    "arrival": (
        "Olá {guest_name}! {property} dá-lhe as boas-vindas. O seu código da porta é {pin} "
        "({doors}). Funciona de {check_in} até {check_out}. A sua página com as indicações "
        "para entrar: {link}"
    ),
    "backup": (
        "Olá {guest_name}, aqui tem um código alternativo para {property}: {doors}. "
        "Funciona até {check_out}."
    ),
    "checkout": (
        "Olá {guest_name}, lembramos que o check-out em {property} está marcado para "
        "{check_out}. Boa viagem!"
    ),
    "changed": (
        "Olá {guest_name}, a sua estadia em {property} mudou: {unit}, de {check_in} até "
        "{check_out}. O seu código da porta é {pin} ({doors})."
    ),
    "email": (
        "Olá {guest_name},\n\n"
        "{property} dá-lhe as boas-vindas! A sua estadia em {unit} é de {check_in} até "
        "{check_out}.\n\n"
        "A sua página mostra como entrar, o seu código da porta a partir do início da estadia "
        "e ajuda se o código não funcionar:\n{link}\n\n"
        "Não partilhe esta ligação: ela abre a página da sua estadia.\n\n"
        "Até breve!"
    ),
}
ES = {
    "arrival": (
        "Hola {guest_name}, ¡le damos la bienvenida a {property}! Su código de acceso es {pin} "
        "({doors}). Funciona desde el {check_in} hasta el {check_out}. Su página con las "
        "indicaciones para entrar: {link}"
    ),
    "backup": (
        "Hola {guest_name}, este es un código alternativo para {property}: {doors}. "
        "Funciona hasta el {check_out}."
    ),
    "checkout": (
        "Hola {guest_name}, le recordamos que la salida de {property} es el {check_out}. "
        "¡Buen viaje!"
    ),
    "changed": (
        "Hola {guest_name}, su estancia en {property} ha cambiado: {unit}, desde el {check_in} "
        "hasta el {check_out}. Su código de acceso es {pin} ({doors})."
    ),
    "email": (
        "Hola {guest_name}:\n\n"
        "¡Le damos la bienvenida a {property}! Su estancia en {unit} es desde el {check_in} "
        "hasta el {check_out}.\n\n"
        "Su página le muestra cómo entrar, su código de acceso desde el inicio de la estancia "
        "y ayuda si el código no funciona:\n{link}\n\n"
        "No comparta este enlace: abre la página de su estancia.\n\n"
        "¡Hasta pronto!"
    ),
}
FR = {
    "arrival": (
        "Bonjour {guest_name}, bienvenue à {property} ! Votre code d'accès est {pin} "
        "({doors}). Il fonctionne du {check_in} au {check_out}. Votre page avec les "
        "instructions d'accès : {link}"
    ),
    "backup": (
        "Bonjour {guest_name}, voici un code de secours pour {property} : {doors}. "
        "Il fonctionne jusqu'au {check_out}."
    ),
    "checkout": (
        "Bonjour {guest_name}, petit rappel : le départ de {property} est prévu le "
        "{check_out}. Bon voyage !"
    ),
    "changed": (
        "Bonjour {guest_name}, votre séjour à {property} a changé : {unit}, du {check_in} au "
        "{check_out}. Votre code d'accès est {pin} ({doors})."
    ),
    "email": (
        "Bonjour {guest_name},\n\n"
        "Bienvenue à {property} ! Votre séjour dans {unit} va du {check_in} au {check_out}.\n\n"
        "Votre page vous indique comment entrer, affiche votre code d'accès dès le début du "
        "séjour et vous aide si le code ne fonctionne pas :\n{link}\n\n"
        "Gardez ce lien pour vous : il ouvre la page de votre séjour.\n\n"
        "À bientôt !"
    ),
}
DE = {
    "arrival": (
        "Hallo {guest_name}, willkommen bei {property}! Ihr Türcode ist {pin} ({doors}). "
        "Er gilt von {check_in} bis {check_out}. So kommen Sie hinein: {link}"
    ),
    "backup": (
        "Hallo {guest_name}, hier ist ein Ersatzcode für {property}: {doors}. "
        "Er gilt bis {check_out}."
    ),
    "checkout": (
        "Hallo {guest_name}, zur Erinnerung: Der Check-out bei {property} ist am {check_out}. "
        "Gute Reise!"
    ),
    "changed": (
        "Hallo {guest_name}, Ihr Aufenthalt bei {property} hat sich geändert: {unit}, von "
        "{check_in} bis {check_out}. Ihr Türcode ist {pin} ({doors})."
    ),
    "email": (
        "Hallo {guest_name},\n\n"
        "willkommen bei {property}! Ihr Aufenthalt in {unit} ist von {check_in} bis "
        "{check_out}.\n\n"
        "Ihre Seite zeigt Ihnen, wie Sie hineinkommen, Ihren Türcode ab Beginn Ihres "
        "Aufenthalts und Hilfe, falls der Code nicht funktioniert:\n{link}\n\n"
        "Bitte geben Sie diesen Link nicht weiter: Er öffnet die Seite Ihres Aufenthalts.\n\n"
        "Bis bald!"
    ),
}
# The arrival email's subject line, per language.
SUBJECTS = {
    "en": "Your stay at {property}: the way in",
    "pt": "A sua estadia em {property}: como entrar",
    "es": "Su estancia en {property}: cómo entrar",
    "fr": "Votre séjour à {property} : comment entrer",
    "de": "Ihr Aufenthalt bei {property}: so kommen Sie hinein",
}
BODIES = {"en": EN, "pt": PT, "es": ES, "fr": FR, "de": DE}

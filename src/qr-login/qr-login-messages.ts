import type { Catalog } from '../shared/i18n.ts';

export const qrLoginMessages: Catalog = {
  'qr.panel_title': { en: 'Sign in with the app', ru: 'Вход через приложение' },
  'qr.panel_steps': {
    en: 'Open the {store} app on your phone, tap Scan and point the camera at this code.',
    ru: 'Откройте приложение {store} на телефоне, нажмите «Сканировать» и наведите камеру на этот код.',
  },
  'qr.qr_alt': { en: 'QR code for signing in with the app', ru: 'QR-код для входа через приложение' },
  'qr.same_device': { en: 'On this phone? Open the sign-in link', ru: 'Вы на телефоне? Откройте ссылку для входа' },
  'qr.status_pending': { en: 'Scan with the app', ru: 'Отсканируйте в приложении' },
  'qr.status_scanned': { en: 'Scanned — confirm on your phone', ru: 'Отсканировано — подтвердите на телефоне' },
  'qr.status_approved': { en: 'Confirmed — signing you in…', ru: 'Подтверждено — выполняем вход…' },
  'qr.status_denied': { en: 'Cancelled in the app.', ru: 'Отменено в приложении.' },
  'qr.status_expired': { en: 'This code has expired.', ru: 'Срок действия кода истёк.' },
  'qr.new_code': { en: 'New code', ru: 'Новый код' },
  'qr.continue_no_script': { en: 'I confirmed in the app — continue', ru: 'Я подтвердил в приложении — продолжить' },
  'qr.unavailable': {
    en: 'The QR code is not available right now. Sign in with your password, or reload the page in a few minutes.',
    ru: 'QR-код сейчас недоступен. Войдите с паролем или обновите страницу через несколько минут.',
  },
  'qr.not_found': { en: 'This QR code is not valid. Show a new code on the sign-in page.', ru: 'Этот QR-код недействителен. Откройте новый код на странице входа.' },
  'qr.expired': { en: 'This QR code has expired. Show a new code on the sign-in page.', ru: 'Срок действия QR-кода истёк. Откройте новый код на странице входа.' },
  'qr.already_used': { en: 'This QR code has already been used.', ru: 'Этот QR-код уже использован.' },
  'qr.not_confirmed': {
    en: 'The sign-in has not been confirmed in the app yet. Confirm it on your phone, then continue.',
    ru: 'Вход ещё не подтверждён в приложении. Подтвердите его на телефоне и продолжите.',
  },
  'qr.too_many_requests': { en: 'Too many QR codes were requested. Try again in {wait}.', ru: 'Запрошено слишком много QR-кодов. Попробуйте через {wait}.' },

  'qr.review_title': { en: 'Sign in to a computer?', ru: 'Войти на компьютере?' },
  'qr.review_intro': {
    en: 'You opened a sign-in link of {store}. Continue only if you are signing in on a computer in front of you right now. Nobody from the store will ever ask you to scan or open one.',
    ru: 'Вы открыли ссылку для входа в {store}. Продолжайте, только если вы сами сейчас входите на компьютере перед вами. Сотрудники магазина никогда не просят отсканировать или открыть такую ссылку.',
  },
  'qr.review_continue': { en: 'Continue', ru: 'Продолжить' },
  'qr.confirm_title': { en: 'Sign in on another device?', ru: 'Войти на другом устройстве?' },
  'qr.confirm_intro': {
    en: 'Someone is asking to sign in to your account. Confirm only if it is you, in front of that screen.',
    ru: 'Кто-то хочет войти в ваш аккаунт. Подтверждайте, только если это вы и экран перед вами.',
  },
  'qr.device': { en: 'Device', ru: 'Устройство' },
  'qr.place': { en: 'Approximate place', ru: 'Примерное место' },
  'qr.place_unknown': { en: 'unknown (network address {address})', ru: 'неизвестно (сетевой адрес {address})' },
  'qr.time': { en: 'Requested', ru: 'Запрошено' },
  'qr.confirm': { en: 'Confirm', ru: 'Подтвердить' },
  'qr.cancel': { en: 'Cancel', ru: 'Отмена' },
  'qr.confirmed_title': { en: 'Confirmed', ru: 'Подтверждено' },
  'qr.confirmed_text': { en: 'The other device is now being signed in. You can close this page.', ru: 'Вход на другом устройстве выполняется. Эту страницу можно закрыть.' },
  'qr.cancelled_title': { en: 'Cancelled', ru: 'Отменено' },
  'qr.cancelled_text': {
    en: 'Nobody was signed in. If you did not start this, consider changing your password.',
    ru: 'Вход не выполнен. Если это были не вы, стоит сменить пароль.',
  },

  'app.title': { en: 'Scan to sign in', ru: 'Сканировать для входа' },
  'app.intro': {
    en: 'Point the camera at the QR code on the computer’s sign-in page.',
    ru: 'Наведите камеру на QR-код на странице входа на компьютере.',
  },
  'app.start_camera': { en: 'Start camera', ru: 'Включить камеру' },
  'app.no_camera': {
    en: 'No camera here? Paste the sign-in link shown under the QR code.',
    ru: 'Нет камеры? Вставьте ссылку для входа, показанную под QR-кодом.',
  },
  'app.link_label': { en: 'Sign-in link', ru: 'Ссылка для входа' },
  'app.open_link': { en: 'Open', ru: 'Открыть' },
  'app.bad_link': { en: 'That is not a sign-in link of this store.', ru: 'Это не ссылка для входа в этот магазин.' },
  'app.signed_in_as': { en: 'Signed in as {email}', ru: 'Вы вошли как {email}' },
  'app.sign_in_first': { en: 'Sign in on this phone first; then you can confirm sign-ins on other devices.', ru: 'Сначала войдите на этом телефоне — тогда сможете подтверждать вход на других устройствах.' },
};

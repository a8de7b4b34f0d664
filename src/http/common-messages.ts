// Words shared by every page: the frame, generic request errors, form-level problems.
import type { Catalog } from '../shared/i18n.ts';

export const commonMessages: Catalog = {
  'layout.skip_to_content': { en: 'Skip to content', ru: 'Перейти к содержимому' },
  'layout.sign_in': { en: 'Sign in', ru: 'Войти' },
  'layout.create_account': { en: 'Create account', ru: 'Создать аккаунт' },
  'layout.my_account': { en: 'My account', ru: 'Мой аккаунт' },
  'layout.sign_out': { en: 'Sign out', ru: 'Выйти' },
  'layout.language': { en: 'Language', ru: 'Язык' },
  'layout.footer': { en: 'Your account is protected by {store}.', ru: 'Ваш аккаунт защищает {store}.' },
  'layout.error_summary': { en: 'Please check the form', ru: 'Проверьте форму' },

  'request.not_found': { en: 'This page does not exist.', ru: 'Такой страницы нет.' },
  'request.not_found_title': { en: 'Page not found', ru: 'Страница не найдена' },
  'request.malformed': {
    en: 'The form could not be read. Please go back, check what you entered and try again.',
    ru: 'Не удалось прочитать форму. Вернитесь, проверьте введённые данные и попробуйте снова.',
  },
  'request.control_character': {
    en: 'What you entered contains an invisible control character (such as a line break or a NUL). Please type it again and try once more.',
    ru: 'В том, что вы ввели, есть невидимый управляющий символ (например, перевод строки или NUL). Введите это заново и попробуйте ещё раз.',
  },
  'request.conflict': {
    en: 'Another request changed this at the same moment. Nothing was changed by yours; reload the page to see where things stand.',
    ru: 'Другой запрос изменил это в тот же момент. Ваш запрос ничего не изменил — обновите страницу, чтобы увидеть, что получилось.',
  },
  'request.too_large': { en: 'What you sent is too large.', ru: 'Отправлено слишком много данных.' },
  'request.unsupported_type': { en: 'This kind of request is not accepted here.', ru: 'Такой запрос здесь не принимается.' },
  'request.csrf_invalid': {
    en: 'This form has expired or was sent from another site. Reload the page and try again.',
    ru: 'Форма устарела или отправлена с другого сайта. Обновите страницу и попробуйте снова.',
  },
  'request.wrong_host': {
    en: 'This server does not answer for that address. Open the store’s account pages through their usual link.',
    ru: 'Этот сервер не отвечает по такому адресу. Откройте страницы аккаунта магазина по обычной ссылке.',
  },
  'request.method_not_allowed': { en: 'This address does not accept that request.', ru: 'Этот адрес не принимает такой запрос.' },
  // Any security change, from any flow, in a session that has not proved the password lately.
  'reverify.required': { en: 'Please confirm it’s you first.', ru: 'Сначала подтвердите, что это вы.' },
  'request.unavailable': {
    en: 'We could not complete this just now. Nothing was changed; please try again in a moment.',
    ru: 'Сейчас не получилось. Ничего не изменилось — попробуйте ещё раз через минуту.',
  },
  'request.internal': {
    en: 'Something went wrong on our side. Nothing was changed; please try again.',
    ru: 'У нас что-то пошло не так. Ничего не изменилось — попробуйте ещё раз.',
  },
  'request.error_title': { en: 'Something is not right', ru: 'Что-то не так' },
  'request.back_to_account': { en: 'Back to My account', ru: 'Вернуться в мой аккаунт' },
  'request.back_to_sign_in': { en: 'Back to sign in', ru: 'Вернуться ко входу' },
  'request.unauthenticated': { en: 'Sign in to continue.', ru: 'Войдите, чтобы продолжить.' },

  'session.not_found': { en: 'That session no longer exists.', ru: 'Этого сеанса больше нет.' },
  'flow.not_found': {
    en: 'This link is not valid in this browser. Please start again.',
    ru: 'Эта ссылка недействительна в этом браузере. Начните заново.',
  },
  'flow.expired': { en: 'This page has expired. Please start again.', ru: 'Срок действия страницы истёк. Начните заново.' },
  'flow.not_verified': { en: 'Confirm the code first.', ru: 'Сначала подтвердите код.' },
  'flow.finished': { en: 'This step is already done.', ru: 'Этот шаг уже выполнен.' },

  'identity.email_invalid': {
    en: 'Enter an email address like name@example.com.',
    ru: 'Введите адрес электронной почты, например name@example.com.',
  },
  'identity.invisible_character': {
    en: 'This contains an invisible character (such as a zero-width space, a soft hyphen or a text-direction mark), often picked up by copying. Type it again by hand.',
    ru: 'Здесь есть невидимый символ (например, пробел нулевой ширины, мягкий перенос или знак направления текста) — часто он попадает при копировании. Введите заново вручную.',
  },
  'identity.login_name_invalid': {
    en: 'A login name has 3–32 characters: Latin letters, digits, dots, hyphens or underscores, starting and ending with a letter or digit.',
    ru: 'Имя для входа — от 3 до 32 символов: латинские буквы, цифры, точки, дефисы или подчёркивания; начинается и заканчивается буквой или цифрой.',
  },
  'identity.identifier_invalid': {
    en: 'Enter your email address or login name.',
    ru: 'Введите адрес электронной почты или имя для входа.',
  },
  'identity.identifier_missing': {
    en: 'Enter your email address or login name.',
    ru: 'Введите адрес электронной почты или имя для входа.',
  },

  'password.too_short': { en: 'Use at least {min} characters.', ru: 'Используйте не меньше {min} символов.' },
  'password.too_long': { en: 'Use at most {max} characters.', ru: 'Используйте не больше {max} символов.' },
  'password.common': {
    en: 'This password is one of the most common ones. Choose another.',
    ru: 'Это один из самых распространённых паролей. Выберите другой.',
  },
  'password.contains_identifier': {
    en: 'Do not build your password from your email or login name.',
    ru: 'Не составляйте пароль из адреса почты или имени для входа.',
  },
  'password.too_guessable': {
    en: 'This password is easy to guess (repeats, sequences or common words). Add a few unrelated words.',
    ru: 'Этот пароль легко угадать (повторы, последовательности или частые слова). Добавьте несколько не связанных слов.',
  },
  'password.mismatch': { en: 'The two passwords do not match.', ru: 'Пароли не совпадают.' },
  'password.strength_label': { en: 'Password strength', ru: 'Надёжность пароля' },
  'password.strength_hint': {
    en: 'At least 12 characters. A few unrelated words make a strong, memorable password.',
    ru: 'Не меньше 12 символов. Несколько не связанных слов — надёжный и запоминающийся пароль.',
  },
  'password.strength_words': {
    en: 'Too short|Very weak|Weak|Fair|Good|Strong',
    ru: 'Слишком короткий|Очень слабый|Слабый|Средний|Хороший|Надёжный',
  },
  'password.show': { en: 'Show', ru: 'Показать' },
  'password.hide': { en: 'Hide', ru: 'Скрыть' },

  'code.invalid': { en: 'That code is not right. Check it and try again.', ru: 'Код неверный. Проверьте его и попробуйте снова.' },
  'code.expired': { en: 'This code has expired. Get a new code.', ru: 'Срок действия кода истёк. Получите новый код.' },
  'code.used_up': {
    en: 'This code can no longer be used. Get a new code.',
    ru: 'Этот код больше нельзя использовать. Получите новый код.',
  },
  'code.resting': {
    en: 'Too many wrong codes. For your safety, try again in {wait}.',
    ru: 'Слишком много неверных кодов. В целях безопасности попробуйте снова через {wait}.',
  },
  'code.resend_too_soon': {
    en: 'You can get a new code in {wait}.',
    ru: 'Новый код можно получить через {wait}.',
  },
  'code.send_limit_reached': {
    en: 'We have sent too many codes. You can get a new one in {wait}.',
    ru: 'Мы отправили слишком много кодов. Новый можно получить через {wait}.',
  },
  'code.earlier_still_works': {
    en: 'We sent you a code less than a minute ago. It still works: enter it here.',
    ru: 'Мы отправили вам код меньше минуты назад. Он по-прежнему действует — введите его здесь.',
  },
  'code.sent_recently': {
    en: 'A code was sent less than a minute ago. You can ask for a new one when the countdown ends.',
    ru: 'Код отправлен меньше минуты назад. Новый можно запросить, когда закончится отсчёт.',
  },
  'code.sent_again': { en: 'We sent a new code. The previous one no longer works.', ru: 'Мы отправили новый код. Предыдущий больше не действует.' },
  'code.missing': { en: 'Enter the 6-digit code.', ru: 'Введите 6-значный код.' },
};

// Texts of the admin pages.
export default {
  'zh-CN': {},
  'en-US': {},
}
